import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { CallContext } from "@migrate/grpc";
import type { AgentDatabase } from "../db/agent-database.ts";
import type { AgentMetrics } from "./agent-metrics.ts";

/** Records per batch call; the flow splits larger imports into batches. */
export const MAX_BATCH_RECORDS = 10_000;
/** Items per whole-flow call or stream, per list (identity keys, assets, edges, applications). */
export const MAX_FLOW_ITEMS = 500_000;

export interface AgentRun<T> {
  agent: string;
  flowId: string;
  /**
   * Sizes of the request's lists, by request field name, checked against `limit`. A streamed
   * request's sizes are known only once its work has read it: a function, read for the audit row
   * after the work (the work checks them with `checkListSize` as it reads).
   */
  inputs: Readonly<Record<string, number>> | (() => Readonly<Record<string, number>>);
  limit: number;
  work: () => T | Promise<T>;
  /** How many outputs the response carries, for the audit row. */
  outputs: (result: T) => number;
}

/**
 * Runs one agent call: refuses an empty flow id or an oversized list with INVALID_ARGUMENT,
 * runs the work, and records one agent_runs row (tenant, flow, agent, status, counts, times).
 * A failed audit insert is logged, never turned into a failed call: the agents are stateless.
 * Validation refusals are not executions and are not counted in agent_executions_total.
 */
export async function runAgent<T>(
  db: Kysely<AgentDatabase>,
  ctx: CallContext,
  run: AgentRun<T>,
  metrics?: AgentMetrics,
): Promise<T> {
  if (!run.flowId.trim()) throw new MeshError("INVALID_ARGUMENT", "flow_id is required", { field: "flow_id" });
  if (typeof run.inputs !== "function") {
    for (const [field, size] of Object.entries(run.inputs)) checkListSize(field, size, run.limit);
  }
  const startedAt = new Date();
  const started = performance.now();
  let status: "succeeded" | "failed" = "failed";
  let outputCount = 0;
  try {
    const result = await run.work();
    status = "succeeded";
    outputCount = run.outputs(result);
    return result;
  } finally {
    const inputs = typeof run.inputs === "function" ? run.inputs() : run.inputs;
    const inputCount = Object.values(inputs).reduce((sum, size) => sum + size, 0);
    metrics?.execution(run.agent, status, (performance.now() - started) / 1_000, ctx.tenant.clientAccountId);
    await db
      .insertInto("agent_runs")
      .values({
        client_account_id: ctx.tenant.clientAccountId,
        flow_id: run.flowId,
        agent: run.agent,
        status,
        started_at: startedAt,
        finished_at: new Date(),
        input_count: inputCount,
        output_count: outputCount,
      })
      .execute()
      .catch((error: unknown) => ctx.logger.warn({ err: error, agent: run.agent }, "agent run not recorded"));
  }
}

/** Refuses a request list longer than `limit` with INVALID_ARGUMENT naming the field. */
export function checkListSize(field: string, size: number, limit: number): void {
  if (size > limit) {
    throw new MeshError("INVALID_ARGUMENT", `${field} holds ${size} items; at most ${limit} per call`, {
      field,
      max: limit,
    });
  }
}
