import { sql } from "@migrate/db";
import { isMeshError } from "@migrate/errors";
import type { PhaseDefinition, PhaseOutcome } from "../phases/phase-definition.ts";
import { FlowInterrupted } from "./flow-interrupted.ts";
import { type FlowRun, fenced } from "./flow-run.ts";

export interface SavedPhase {
  status: string;
  progress: number;
  processed: number;
  total: number;
  checkpoint: Record<string, unknown>;
}

/** A phase's saved state (its row is created at CreateFlow or claim). */
export async function loadPhase(run: FlowRun, phase: string): Promise<SavedPhase> {
  const row = await run.db
    .selectFrom("flow_phases")
    .select(["status", "progress", "processed", "total", "checkpoint"])
    .where("flow_id", "=", run.flow.id)
    .where("phase", "=", phase)
    .executeTakeFirst();
  return row ?? { status: "pending", progress: 0, processed: 0, total: 0, checkpoint: {} };
}

/** Marks the phase running; a phase entered from pending (first run, or retried) announces itself. */
export async function startPhase(run: FlowRun, phase: PhaseDefinition, saved: SavedPhase, base: number) {
  run.flow.phase = phase.name;
  run.flow.progress = base + Math.floor((phase.weight * saved.progress) / 100);
  await fenced(
    run,
    async (trx, emit) => {
      await trx
        .updateTable("flow_phases")
        .set({ status: "running", error: "", started_at: sql`coalesce(started_at, now())` })
        .where("flow_id", "=", run.flow.id)
        .where("phase", "=", phase.name)
        .execute();
      if (saved.status !== "pending") return;
      if (phase.name === "data_import") {
        await emit("flow.started", {
          raw_record_count: run.flow.raw_record_count,
          connection_count: run.flow.connection_count,
        });
      }
      await emit("phase.started", { phase: phase.name });
    },
    { phase: phase.name, progress: run.flow.progress, status_message: "" },
  );
}

/** Records a completed or skipped phase and its counts. */
export async function finishPhase(
  run: FlowRun,
  phase: PhaseDefinition,
  outcome: Exclude<PhaseOutcome, { status: "awaiting_input" }>,
  progress: number,
) {
  const status = outcome.status === "skipped" ? "skipped" : "completed";
  run.flow.progress = progress;
  await fenced(
    run,
    async (trx, emit) => {
      await trx
        .updateTable("flow_phases")
        .set({ status, progress: 100, completed_at: sql`now()` })
        .where("flow_id", "=", run.flow.id)
        .where("phase", "=", phase.name)
        .execute();
      await emit("phase.completed", {
        phase: phase.name,
        status,
        ...(outcome.status === "skipped" ? { reason: outcome.reason } : { counts: outcome.counts ?? {} }),
      });
    },
    { progress },
  );
}

/** Parks the flow until a person acts (ApproveMappings); the lease is given up. */
export async function awaitInput(run: FlowRun, phase: PhaseDefinition, message: string, reasons: string[]) {
  await fenced(run, (_trx, emit) => emit("flow.awaiting_input", { phase: phase.name, reasons, message }), {
    status: "awaiting_input",
    status_message: message,
    lease_owner: null,
    lease_until: null,
  });
}

/** Ends the flow successfully, with the counts a user sees first. */
export async function completeFlow(run: FlowRun): Promise<void> {
  const flowId = run.flow.id;
  const counts = await sql<{ dependencies: number; waves: number; issues: number }>`
    select (select count(*) from dependencies where flow_id = ${flowId})::int as dependencies,
           (select count(*) from waves where flow_id = ${flowId})::int as waves,
           (select count(*) from issues where flow_id = ${flowId})::int as issues`.execute(run.db);
  const found = counts.rows[0] ?? { dependencies: 0, waves: 0, issues: 0 };
  run.flow.progress = 100;
  await fenced(
    run,
    async (trx, emit) => {
      await trx.updateTable("flows").set({ completed_at: sql`now()` }).where("id", "=", flowId).execute();
      await emit("flow.completed", {
        raw_record_count: run.flow.raw_record_count,
        asset_count: run.flow.asset_count,
        application_count: run.flow.application_count,
        dependency_count: found.dependencies,
        wave_count: found.waves,
        issue_count: found.issues,
      });
    },
    { status: "completed", progress: 100, status_message: "", lease_owner: null, lease_until: null },
  );
}

/**
 * Fails the flow at `phase` with a message a user can act on; the checkpoint stays, so
 * RetryFlow resumes where the phase stopped. Returns false when the flow was no longer ours.
 */
export async function failFlow(run: FlowRun, phase: string, error: unknown): Promise<boolean> {
  const message = isMeshError(error) ? error.message : "internal error";
  try {
    await fenced(
      run,
      async (trx, emit) => {
        await trx
          .updateTable("flow_phases")
          .set({ status: "failed", error: message })
          .where("flow_id", "=", run.flow.id)
          .where("phase", "=", phase)
          .execute();
        await emit("flow.failed", { phase, error: message, code: isMeshError(error) ? error.code : "INTERNAL" });
      },
      { status: "failed", status_message: `${phase} failed: ${message}`, lease_owner: null, lease_until: null },
    );
    return true;
  } catch (failure) {
    if (failure instanceof FlowInterrupted) return false;
    throw failure;
  }
}
