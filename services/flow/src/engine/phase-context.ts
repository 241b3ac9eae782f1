import type { Transaction } from "@migrate/db";
import type { FlowPhaseName } from "@migrate/domain";
import type { CallOptions } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import { callAgent } from "./agent-call.ts";
import { type AgentClient, type Emit, type FlowRun, fenced, fencedAtCommit } from "./flow-run.ts";

export interface PhaseProgress {
  processed: number;
  total?: number;
  checkpoint?: Record<string, unknown>;
}

/** What a phase sees: its saved position, the agent, and a way to commit a step of work. */
export interface PhaseContext extends FlowRun {
  phase: FlowPhaseName;
  /** Where the phase stopped last time ({} on a first run). */
  checkpoint: Record<string, unknown>;
  processed: number;
  total: number;
  /** An agent call with the tenant, a deadline and retries while the agent is unavailable. */
  call<T>(name: string, invoke: (agent: AgentClient, options: CallOptions) => Promise<T>): Promise<T>;
  /**
   * Commits one step: `work`, the phase's progress and checkpoint, the flow's weighted progress
   * and (every 10 %) a phase.progress event, all in one fenced transaction.
   */
  commit<T>(progress: PhaseProgress, work?: (trx: Transaction<FlowDatabase>, emit: Emit) => Promise<T>): Promise<T>;
  /**
   * Writes one page's results in a transaction of its own, fenced at its end, side by side with
   * other pages' (no progress, no checkpoint, no events: `commit` moves those, in page order).
   * The work must be idempotent, as a page written but not yet checkpointed is written again by a redo.
   */
  store<T>(work: (trx: Transaction<FlowDatabase>) => Promise<T>): Promise<T>;
}

/**
 * A phase's context. `base` and `weight` place the phase in the flow's overall progress
 * (the phases before it add up to `base`).
 */
export function createPhaseContext(
  run: FlowRun,
  phase: FlowPhaseName,
  saved: { checkpoint: Record<string, unknown>; processed: number; total: number; progress: number },
  placement: { base: number; weight: number },
): PhaseContext {
  let lastProgress = saved.progress;
  const context: PhaseContext = {
    ...run,
    phase,
    checkpoint: saved.checkpoint,
    processed: saved.processed,
    total: saved.total,
    call: (name, invoke) =>
      callAgent(
        name,
        (signal) => invoke(run.agent, { tenant: run.tenant, timeoutMs: run.settings.agentTimeoutMs, signal }),
        { attempts: run.settings.agentAttempts, signal: run.signal, stopping: run.stopping, logger: run.logger },
      ),
    store: (work) => fencedAtCommit(run, work),
    commit: async (step, work) => {
      const total = step.total ?? context.total;
      const progress = total > 0 ? Math.min(100, Math.floor((step.processed * 100) / total)) : 0;
      const flowProgress = Math.min(99, placement.base + Math.floor((placement.weight * progress) / 100));
      const previous = run.flow.progress;
      run.flow.progress = flowProgress;
      try {
        const result = await fenced(
          run,
          async (trx, emit) => {
            await trx
              .updateTable("flow_phases")
              .set({
                processed: step.processed,
                total,
                progress,
                ...(step.checkpoint ? { checkpoint: JSON.stringify(step.checkpoint) } : {}),
              })
              .where("flow_id", "=", run.flow.id)
              .where("phase", "=", phase)
              .execute();
            const value = work ? await work(trx, emit) : (undefined as never);
            if (Math.floor(progress / 10) > Math.floor(lastProgress / 10) && progress < 100) {
              await emit("phase.progress", { phase, processed: step.processed, total, progress });
            }
            return value;
          },
          { progress: flowProgress },
        );
        lastProgress = progress;
        context.processed = step.processed;
        context.total = total;
        if (step.checkpoint) context.checkpoint = step.checkpoint;
        return result;
      } catch (error) {
        run.flow.progress = previous;
        throw error;
      }
    },
  };
  return context;
}
