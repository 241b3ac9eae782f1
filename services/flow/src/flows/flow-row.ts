import type { MessageInitShape } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import type { FlowSchema } from "@migrate/gen/flow/v1/flow_pb";
import { phaseToProto, statusToProto } from "./flow-vocabulary.ts";

/** A flow as the queries return it: timestamps as RFC 3339 text with microseconds. */
export interface FlowRow {
  id: string;
  client_account_id: string;
  engagement_id: string | null;
  name: string;
  status: string;
  phase: string;
  progress: number;
  raw_record_count: number;
  source_format: string;
  source_filename: string;
  columns: string[];
  created_by: string;
  created_at: string;
  updated_at: string;
}

// Microsecond text keeps keyset cursors exact; a JS Date would round to milliseconds.
function isoUtc(column: "created_at" | "updated_at") {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(column);
}

/** The select list every flow query uses. */
export const FLOW_COLUMNS = [
  "id",
  "client_account_id",
  "engagement_id",
  "name",
  "status",
  "phase",
  "progress",
  "raw_record_count",
  "source_format",
  "source_filename",
  "columns",
  "created_by",
  isoUtc("created_at"),
  isoUtc("updated_at"),
] as const;

export function toFlowMessage(row: FlowRow): MessageInitShape<typeof FlowSchema> {
  return {
    id: row.id,
    clientAccountId: row.client_account_id,
    engagementId: row.engagement_id ?? "",
    name: row.name,
    status: statusToProto(row.status),
    phase: phaseToProto(row.phase),
    progress: row.progress,
    rawRecordCount: BigInt(row.raw_record_count),
    sourceFormat: row.source_format,
    sourceFilename: row.source_filename,
    columns: row.columns,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
