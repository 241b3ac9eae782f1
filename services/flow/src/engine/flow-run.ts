import type { Kysely, Transaction, Updateable } from "@migrate/db";
import { sql } from "@migrate/db";
import type { FlowEventNames } from "@migrate/events";
import type { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import type { ServiceClient, TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import type { FlowDatabase, FlowsTable } from "../db/flow-database.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import type { FlowMetrics } from "../flow-metrics.ts";
import type { FlowRow } from "../flows/flow-row.ts";
import type { EngineSettings } from "./engine-settings.ts";
import { FlowInterrupted } from "./flow-interrupted.ts";

export type AgentClient = ServiceClient<(typeof AgentService)["method"]>;

/** Queues a flow event in the transaction it describes. */
export type Emit = (type: string, payload: Record<string, unknown>) => Promise<void>;

/** One claimed flow being worked by this engine, and what working it needs. */
export interface FlowRun {
  /** The flow as claimed; `phase` and `progress` are kept current, for event envelopes. */
  flow: FlowRow;
  /** The flow's creator, on whose behalf the agent is called. */
  tenant: TenantContext;
  db: Kysely<FlowDatabase>;
  agent: AgentClient;
  names: FlowEventNames;
  settings: EngineSettings;
  metrics: FlowMetrics;
  logger: Logger;
  /** Aborted when the lease is lost (paused, cancelled, taken over). */
  signal: AbortSignal;
  stopping(): boolean;
  onEventQueued(): void;
}

/**
 * Runs `work` in a transaction that first proves the flow is still running and leased to this
 * engine (and applies `set` to it). A pause, cancel or takeover committed before makes it roll
 * back with FlowInterrupted, so a stale engine can never write results or progress.
 */
export async function fenced<T>(
  run: FlowRun,
  work: (trx: Transaction<FlowDatabase>, emit: Emit) => Promise<T>,
  set: Updateable<FlowsTable> = {},
): Promise<T> {
  let queued = 0;
  const result = await run.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("flows")
      .set({ updated_at: sql`now()`, ...set })
      .where("id", "=", run.flow.id)
      .where("lease_owner", "=", run.settings.instanceId)
      .where("status", "=", "running")
      .returning("id")
      .executeTakeFirst();
    if (!row) throw new FlowInterrupted("lease_lost");
    const emit: Emit = async (type, payload) => {
      await trx
        .insertInto("outbox")
        .values(flowEventOutboxRow(run.names, run.flow, type, payload))
        .execute();
      queued++;
    };
    return work(trx, emit);
  });
  if (queued) run.onEventQueued();
  return result;
}

/**
 * Runs `work` (a page's results, no progress and no events) in a transaction fenced at its end:
 * just before committing it takes a shared lock on the flow's row and checks the flow is still
 * running and leased to this engine. Several such transactions run side by side (shared locks do
 * not wait for each other), and none holds the row while it writes. A pause, cancel or takeover
 * committed before the check rolls it back with FlowInterrupted; one that comes after waits for
 * the commit (its update needs the row), so a stale engine still never writes after losing the
 * flow. The work must be idempotent: a redo writes the same rows again.
 */
export async function fencedAtCommit<T>(
  run: FlowRun,
  work: (trx: Transaction<FlowDatabase>) => Promise<T>,
): Promise<T> {
  return run.db.transaction().execute(async (trx) => {
    const value = await work(trx);
    const row = await trx
      .selectFrom("flows")
      .select("id")
      .where("id", "=", run.flow.id)
      .where("lease_owner", "=", run.settings.instanceId)
      .where("status", "=", "running")
      .forShare()
      .executeTakeFirst();
    if (!row) throw new FlowInterrupted("lease_lost");
    return value;
  });
}

/** Adds a notice for the user once, however often the phase that finds it runs. */
export async function addNotice(trx: Transaction<FlowDatabase>, flowId: string, text: string): Promise<void> {
  await trx
    .updateTable("flows")
    .set({
      notices: sql`case when notices ? ${text} then notices else notices || jsonb_build_array(${text}::text) end`,
    })
    .where("id", "=", flowId)
    .execute();
}
