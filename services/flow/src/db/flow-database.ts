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
}

export interface RawRecordsTable {
  flow_id: string;
  /** 1-based position of the record in the uploaded file (header excluded). */
  row_number: number;
  data: Json<Record<string, unknown>>;
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
}
