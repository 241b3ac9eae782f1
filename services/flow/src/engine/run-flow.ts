import { isConnectionLost } from "@migrate/errors";
import { errorCodeOf, isFault, recordSpanError } from "@migrate/telemetry";
import { trace } from "@opentelemetry/api";
import { PHASES, phaseBase } from "../phases/index.ts";
import { FlowInterrupted } from "./flow-interrupted.ts";
import { releaseLease } from "./flow-lease.ts";
import type { FlowRun } from "./flow-run.ts";
import { createPhaseContext } from "./phase-context.ts";
import { awaitInput, completeFlow, failFlow, finishPhase, loadPhase, startPhase } from "./phase-transitions.ts";

export type RunOutcome = "completed" | "awaiting_input" | "failed" | "interrupted";

const tracer = trace.getTracer("@migrate/flow-service");

/**
 * Works a claimed flow from its first unfinished phase to the end, a person's input, a failure,
 * or an interruption (shutdown, pause, cancel, lost lease). Completed phases are never redone;
 * an unfinished one resumes from its checkpoint.
 */
export async function runFlow(run: FlowRun): Promise<RunOutcome> {
  let current: string = run.flow.phase;
  try {
    for (const phase of PHASES) {
      const saved = await loadPhase(run, phase.name);
      if (saved.status === "completed" || saved.status === "skipped") continue;
      if (run.stopping()) throw new FlowInterrupted("stopping");
      current = phase.name;
      const base = phaseBase(phase.name);
      await startPhase(run, phase, saved, base);
      const logger = run.logger.child({ phase: phase.name });
      const ctx = createPhaseContext({ ...run, logger }, phase.name, saved, { base, weight: phase.weight });
      const stopTimer = run.metrics.phaseDuration.startTimer({ phase: phase.name });
      const outcome = await tracer.startActiveSpan(
        `flow.phase ${phase.name}`,
        { attributes: { "flow.id": run.flow.id, "flow.phase": phase.name } },
        async (span) => {
          try {
            return await phase.run(ctx);
          } catch (error) {
            // The phase is where a failure happened, whatever its code: it fails the flow.
            if (error instanceof FlowInterrupted) span.setAttribute("flow.interrupted", error.reason);
            else recordSpanError(span, error, { fault: true });
            throw error;
          } finally {
            span.end();
          }
        },
      );
      stopTimer();
      if (outcome.status === "awaiting_input") {
        await awaitInput(run, phase, outcome.message, outcome.reasons);
        logger.info({ reasons: outcome.reasons }, "flow awaits input");
        return "awaiting_input";
      }
      await finishPhase(run, phase, outcome, base + phase.weight);
      logger.info({ status: outcome.status, ...(outcome.status === "completed" ? outcome.counts : {}) }, "phase done");
    }
    await completeFlow(run);
    const durationMs = Date.now() - Date.parse(run.flow.created_at);
    if (Number.isFinite(durationMs)) run.metrics.flowDuration.observe(durationMs / 1_000);
    run.logger.info(
      { asset_count: run.flow.asset_count, raw_record_count: run.flow.raw_record_count, duration_ms: durationMs },
      "flow completed",
    );
    return "completed";
  } catch (error) {
    if (error instanceof FlowInterrupted) {
      if (error.reason === "stopping") await releaseLease(run.db, run.flow.id, run.settings.instanceId);
      run.logger.info({ reason: error.reason, phase: current }, "flow run interrupted");
      return "interrupted";
    }
    // A lost database connection is not the flow's failure: its phase rolled back to the last
    // checkpoint, so the flow is let go and claimed again (at once, or when its lease expires).
    if (isConnectionLost(error)) {
      run.logger.warn({ err: error, phase: current }, "database connection lost; the flow resumes from its checkpoint");
      await releaseLease(run.db, run.flow.id, run.settings.instanceId).catch(() => {});
      return "interrupted";
    }
    // Logged once, here, where the failure is handled (stored on the flow for the user).
    const level = isFault(error) ? "error" : "warn";
    run.logger[level]({ err: error, phase: current, code: errorCodeOf(error) }, "flow phase failed");
    return (await failFlow(run, current, error)) ? "failed" : "interrupted";
  }
}
