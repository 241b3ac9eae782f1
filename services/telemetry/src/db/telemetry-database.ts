import type { ColumnType, Generated, JSONColumnType } from "kysely";

/** One flow event as consumed, exactly once per event_id. */
export interface FlowEventsInboxTable {
  event_id: string;
  client_account_id: string;
  engagement_id: string | null;
  flow_id: string;
  type: string;
  phase: string | null;
  progress: number | null;
  occurred_at: ColumnType<Date, Date | string, never>;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  subject: string;
  stream_sequence: number;
  payload: JSONColumnType<Record<string, unknown>>;
}

/** Numeric columns read back as exact decimal strings (pg's default for numeric). */
type Decimal = ColumnType<string, string, string>;

/** The price of one model over [effective_from, effective_to); ranges never overlap. */
export interface ModelPricingTable {
  id: Generated<number>;
  provider: string;
  model: string;
  input_usd_per_million: Decimal;
  output_usd_per_million: Decimal;
  currency: string;
  effective_from: ColumnType<Date, Date | string, Date | string>;
  effective_to: ColumnType<Date | null, Date | string | null, Date | string | null>;
  source: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One LLM provider call (or budget refusal), priced when recorded, exactly once per event_id. */
export interface LlmUsageRecordsTable {
  event_id: string;
  client_account_id: string;
  engagement_id: string | null;
  flow_id: string;
  agent: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  outcome: string;
  trace_id: string | null;
  occurred_at: ColumnType<Date, Date | string, never>;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  pricing_id: number | null;
  cost_usd: Decimal;
  subject: string;
  stream_sequence: number;
}

export interface BudgetsTable {
  client_account_id: string;
  monthly_usd: Decimal;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The tables of schema `telemetry`, as kysely sees them. */
export interface TelemetryDatabase {
  flow_events_inbox: FlowEventsInboxTable;
  model_pricing: ModelPricingTable;
  llm_usage_records: LlmUsageRecordsTable;
  budgets: BudgetsTable;
}
