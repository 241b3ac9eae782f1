import type { Flow } from "@migrate/gen/flow/v1/flow_pb";
import { phaseName, statusName } from "./flow-enums.ts";

/** A flow as the REST API shows it: snake_case, status and phase as lowercase names. */
export function flowJson(flow: Flow) {
  return {
    id: flow.id,
    client_account_id: flow.clientAccountId,
    engagement_id: flow.engagementId || null,
    name: flow.name,
    status: statusName(flow.status),
    phase: phaseName(flow.phase),
    progress: flow.progress,
    raw_record_count: Number(flow.rawRecordCount),
    source_format: flow.sourceFormat,
    source_filename: flow.sourceFilename,
    columns: flow.columns,
    created_by: flow.createdBy,
    created_at: flow.createdAt,
    updated_at: flow.updatedAt,
  };
}
