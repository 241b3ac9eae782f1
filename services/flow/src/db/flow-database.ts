import type { ColumnType, Generated } from "@migrate/db";

/** jsonb: read back parsed, written as JSON text so the driver never guesses the encoding. */
type Json<T> = ColumnType<T, string, string>;

export interface FlowsTable {
  id: string;
  client_account_id: string;
  /** Null when the flow was created outside an engagement. */
  engagement_id: string | null;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  phase: ColumnType<string, string | undefined, string>;
  progress: ColumnType<number, number | undefined, number>;
  raw_record_count: ColumnType<number, number | undefined, number>;
  source_format: string;
  source_filename: string;
  columns: Json<string[]>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  status_message: ColumnType<string, string | undefined, string>;
  connection_count: ColumnType<number, number | undefined, number>;
  asset_count: ColumnType<number, number | undefined, number>;
  application_count: ColumnType<number, number | undefined, number>;
  notices: ColumnType<string[], string | undefined, string>;
  mapping_format: ColumnType<string, string | undefined, string>;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** W3C context of the request that last made the flow runnable (see captureTraceCarrier). */
  trace_carrier: ColumnType<Record<string, string>, string | undefined, string>;
}

export interface RawRecordsTable {
  flow_id: string;
  /** 1-based position of the record in the uploaded file (header excluded). */
  row_number: number;
  data: Json<Record<string, unknown>>;
}

export interface ConnectionsRawTable {
  flow_id: string;
  row_number: number;
  source: string;
  destination: string;
  port: number | null;
  protocol: ColumnType<string, string | undefined, string>;
}

export interface FlowPhasesTable {
  flow_id: string;
  phase: string;
  status: ColumnType<string, string | undefined, string>;
  progress: ColumnType<number, number | undefined, number>;
  processed: ColumnType<number, number | undefined, number>;
  total: ColumnType<number, number | undefined, number>;
  checkpoint: ColumnType<Record<string, unknown>, string | undefined, string>;
  error: ColumnType<string, string | undefined, string>;
  started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface FieldMappingsTable {
  flow_id: string;
  position: number;
  source: string;
  target: string | null;
  confidence: number;
  reason: string;
  unit: ColumnType<string, string | undefined, string>;
  alternatives: ColumnType<Array<{ target: string; confidence: number }>, string | undefined, string>;
  state: ColumnType<"suggested" | "approved" | "corrected", string | undefined, string>;
  sibling: ColumnType<string, string | undefined, string>;
}

export interface IssuesTable {
  flow_id: string;
  id: Generated<number>;
  phase: string;
  row_number: ColumnType<number, number | undefined, number>;
  column_name: ColumnType<string, string | undefined, string>;
  field: ColumnType<string, string | undefined, string>;
  value: ColumnType<string, string | undefined, string>;
  severity: "info" | "warning" | "error";
  code: string;
  message: string;
}

export interface AssetsTable {
  flow_id: string;
  row_number: number;
  data: Json<Record<string, unknown>>;
  changes: ColumnType<unknown[], string | undefined, string>;
  asset_name: ColumnType<string, string | undefined, string>;
  hostname: ColumnType<string, string | undefined, string>;
  asset_type: ColumnType<string, string | undefined, string>;
  environment: ColumnType<string, string | undefined, string>;
  os_family: ColumnType<string, string | undefined, string>;
  quality: ColumnType<number, number | undefined, number>;
  duplicate_of: ColumnType<number | null, number | null | undefined, number | null>;
  application_key: ColumnType<string | null, string | null | undefined, string | null>;
  strategy: ColumnType<string | null, string | null | undefined, string | null>;
  strategy_detail: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface DependenciesTable {
  flow_id: string;
  id: number;
  source_row_number: number;
  source_label: string;
  target_row_number: number;
  target_label: string;
  port: ColumnType<number, number | undefined, number>;
  protocol: ColumnType<string, string | undefined, string>;
  service_kind: ColumnType<string, string | undefined, string>;
  connection_count: ColumnType<number, number | undefined, number>;
  external: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ApplicationsTable {
  flow_id: string;
  key: string;
  name: string;
  method: string;
  confidence: number;
  reason: string;
  asset_count: ColumnType<number, number | undefined, number>;
  strategy: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  wave: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ApplicationEdgesTable {
  flow_id: string;
  source_key: string;
  target_key: string;
  edge_count: number;
  service_kinds: ColumnType<string[], string | undefined, string>;
}

export interface WavesTable {
  flow_id: string;
  number: number;
  application_keys: Json<string[]>;
  rationale: string;
}

export interface OutboxTable {
  id: Generated<number>;
  event_id: string;
  subject: string;
  payload: Json<Record<string, unknown>>;
  trace_carrier: Json<Record<string, string>>;
  created_at: Generated<Date>;
  published_at: ColumnType<Date | null, never, Date | string>;
}

/** The flow service's own schema, as kysely sees it. */
export interface FlowDatabase {
  flows: FlowsTable;
  raw_records: RawRecordsTable;
  outbox: OutboxTable;
  connections_raw: ConnectionsRawTable;
  flow_phases: FlowPhasesTable;
  field_mappings: FieldMappingsTable;
  issues: IssuesTable;
  assets: AssetsTable;
  dependencies: DependenciesTable;
  applications: ApplicationsTable;
  application_edges: ApplicationEdgesTable;
  waves: WavesTable;
}
