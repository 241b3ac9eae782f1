import { compileOnce, type Kysely, sql } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { TenantContext } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import { decodeCursor, encodeCursor, isUuid } from "./flow-cursor.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";

/** Every read is confined to the caller's client account, and to its engagement when it has one. */
function scoped(db: Kysely<FlowDatabase>, tenant: TenantContext) {
  let query = db.selectFrom("flows").select(FLOW_COLUMNS).where("client_account_id", "=", tenant.clientAccountId);
  if (tenant.engagementId) query = query.where("engagement_id", "=", tenant.engagementId);
  return query;
}

/**
 * One flow of the caller. An id that is unknown, malformed or another tenant's gets the same
 * NOT_FOUND, so ids of other tenants cannot be probed.
 */
export async function getFlow(db: Kysely<FlowDatabase>, tenant: TenantContext, flowId: string): Promise<FlowRow> {
  const row = isUuid(flowId) ? (await db.executeQuery(flowById(db, tenant, flowId))).rows[0] : undefined;
  if (!row) throw new MeshError("NOT_FOUND", "flow not found", { field: "flow_id", value: flowId.slice(0, 64) });
  return row as FlowRow;
}

// The most frequent query of the mesh (every poll of a flow's progress), compiled once per
// database and tenant shape rather than built again for each read.
const compiledFlowById = new WeakMap<Kysely<FlowDatabase>, ReturnType<typeof compileFlowById>>();

function compileFlowById(db: Kysely<FlowDatabase>) {
  const scope = (client: string, engagement = "") =>
    scoped(db, { clientAccountId: client, engagementId: engagement } as TenantContext);
  return {
    tenant: compileOnce(["client", "id"], (p) => scope(p.client).where("id", "=", p.id)),
    engagement: compileOnce(["client", "engagement", "id"], (p) =>
      scope(p.client, p.engagement).where("id", "=", p.id),
    ),
  };
}

function flowById(db: Kysely<FlowDatabase>, tenant: TenantContext, id: string) {
  let compiled = compiledFlowById.get(db);
  if (!compiled) {
    compiled = compileFlowById(db);
    compiledFlowById.set(db, compiled);
  }
  return tenant.engagementId
    ? compiled.engagement({ client: tenant.clientAccountId, engagement: tenant.engagementId, id })
    : compiled.tenant({ client: tenant.clientAccountId, id });
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** The caller's flows, newest first, one keyset page at a time. */
export async function listFlows(
  db: Kysely<FlowDatabase>,
  tenant: TenantContext,
  options: { status?: string; limit: number; cursor: string },
): Promise<{ flows: FlowRow[]; nextCursor: string }> {
  if (options.limit < 0) {
    throw new MeshError("INVALID_ARGUMENT", `limit must be between 0 and ${MAX_PAGE}`, { field: "limit" });
  }
  const limit = Math.min(options.limit || DEFAULT_PAGE, MAX_PAGE);
  let query = scoped(db, tenant);
  if (options.status) query = query.where("status", "=", options.status);
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    query = query.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  }
  // Qualified: the bare name would sort by the text alias in the select list, not the indexed column.
  const rows = (await query
    .orderBy("flows.created_at", "desc")
    .orderBy("flows.id", "desc")
    .limit(limit + 1)
    .execute()) as FlowRow[];
  const flows = rows.slice(0, limit);
  const last = flows[flows.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : "";
  return { flows, nextCursor };
}
