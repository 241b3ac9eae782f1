import { type Kysely, sql } from "@migrate/db";
import { FLOW_PHASES } from "@migrate/domain";
import type { FlowDatabase } from "../db/flow-database.ts";
import { FLOW_COLUMNS, type FlowRow } from "../flows/flow-row.ts";

const PHASE_LIST = FLOW_PHASES.join(",");

/** A claimed flow, with the trace context of the request that last made it runnable. */
export type ClaimedFlow = FlowRow & { trace_carrier: Record<string, string> };
const leaseEnd = (leaseMs: number) => sql<Date>`now() + make_interval(secs => ${leaseMs / 1_000}::float8)`;

/**
 * Claims the runnable flow (pending or running, lease free or expired) that waited longest.
 * `skip locked` lets replicas claim side by side without ever taking the same flow; `working`
 * (this engine's own flows) are never claimed twice, even if a missed heartbeat let a lease lapse.
 */
export async function claimFlow(
  db: Kysely<FlowDatabase>,
  owner: string,
  leaseMs: number,
  working: readonly string[] = [],
): Promise<ClaimedFlow | undefined> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom("flows")
      .select("id")
      .where("status", "in", ["pending", "running"])
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", sql<Date>`now()`)]));
    if (working.length) query = query.where("id", "not in", working);
    const candidate = await query.orderBy("updated_at").limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!candidate) return undefined;
    await trx
      .insertInto("flow_phases")
      .columns(["flow_id", "phase"])
      .expression(sql`select ${candidate.id}::uuid, p from unnest(${sql.lit(`{${PHASE_LIST}}`)}::text[]) as p`)
      .onConflict((oc) => oc.doNothing())
      .execute();
    return (await trx
      .updateTable("flows")
      .set({ status: "running", lease_owner: owner, lease_until: leaseEnd(leaseMs) })
      .where("id", "=", candidate.id)
      .returning([...FLOW_COLUMNS, "trace_carrier"])
      .executeTakeFirstOrThrow()) as ClaimedFlow;
  });
}

/** Extends the lease; false when the flow is no longer this owner's running flow (paused, cancelled, taken). */
export async function renewLease(
  db: Kysely<FlowDatabase>,
  flowId: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const row = await db
    .updateTable("flows")
    .set({ lease_until: leaseEnd(leaseMs) })
    .where("id", "=", flowId)
    .where("lease_owner", "=", owner)
    .where("status", "=", "running")
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the flow up at once (shutdown), so another replica resumes it without waiting for expiry. */
export async function releaseLease(db: Kysely<FlowDatabase>, flowId: string, owner: string): Promise<void> {
  await db
    .updateTable("flows")
    .set({ lease_owner: null, lease_until: null })
    .where("id", "=", flowId)
    .where("lease_owner", "=", owner)
    .execute();
}
