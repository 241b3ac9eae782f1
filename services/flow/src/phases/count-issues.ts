import type { Kysely } from "@migrate/db";
import type { FlowDatabase } from "../db/flow-database.ts";

/** How many issues a phase recorded, for its phase.completed counts. */
export async function countIssues(db: Kysely<FlowDatabase>, flowId: string, phase: string): Promise<number> {
  const row = await db
    .selectFrom("issues")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("flow_id", "=", flowId)
    .where("phase", "=", phase)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
