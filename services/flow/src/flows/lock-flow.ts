import type { Transaction } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { TenantContext } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import { isUuid } from "./flow-cursor.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";

/**
 * The caller's flow, row-locked for a status change. Unknown, malformed and other tenants'
 * ids get GetFlow's NOT_FOUND, word for word.
 */
export async function lockFlow(
  trx: Transaction<FlowDatabase>,
  tenant: TenantContext,
  flowId: string,
): Promise<FlowRow> {
  const notFound = new MeshError("NOT_FOUND", "flow not found", { field: "flow_id", value: flowId.slice(0, 64) });
  if (!isUuid(flowId)) throw notFound;
  let query = trx
    .selectFrom("flows")
    .select(FLOW_COLUMNS)
    .where("id", "=", flowId)
    .where("client_account_id", "=", tenant.clientAccountId);
  if (tenant.engagementId) query = query.where("engagement_id", "=", tenant.engagementId);
  const row = await query.forUpdate().executeTakeFirst();
  if (!row) throw notFound;
  return row as FlowRow;
}
