import type { ColumnType, JSONColumnType } from "kysely";

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

/** The tables of schema `telemetry`, as kysely sees them. */
export interface TelemetryDatabase {
  flow_events_inbox: FlowEventsInboxTable;
}
