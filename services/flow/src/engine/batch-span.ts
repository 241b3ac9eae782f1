import { recordSpanError } from "@migrate/telemetry";
import { type Attributes, type Context, context, trace } from "@opentelemetry/api";
import { FlowInterrupted } from "./flow-interrupted.ts";

const tracer = trace.getTracer("@migrate/flow-service");

/** One batch of a phase as a child span of the phase: its agent call, its commit, its counts. */
export interface BatchSpan {
  /** The context to run the batch's work in, so its agent call and queries are its children. */
  context: Context;
  /** Ends the span, adding `counts`; an error (not an interruption) marks it failed. */
  end(outcome?: { error?: unknown; counts?: Attributes }): void;
}

/** Starts a `flow.batch` span under the active (phase) span with the batch's position and size. */
export function startBatchSpan(attributes: Attributes): BatchSpan {
  const span = tracer.startSpan("flow.batch", { attributes });
  let ended = false;
  return {
    context: trace.setSpan(context.active(), span),
    end: (outcome = {}) => {
      if (ended) return;
      ended = true;
      if (outcome.counts) span.setAttributes(outcome.counts);
      if (outcome.error instanceof FlowInterrupted) span.setAttribute("flow.interrupted", outcome.error.reason);
      else if (outcome.error !== undefined) recordSpanError(span, outcome.error, { fault: true });
      span.end();
    },
  };
}

/** Runs `work` as one batch span, ending it with the counts `work` returns. */
export async function inBatchSpan<T extends { counts?: Attributes }>(
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const batch = startBatchSpan(attributes);
  try {
    const result = await context.with(batch.context, work);
    batch.end({ counts: result.counts });
    return result;
  } catch (error) {
    batch.end({ error });
    throw error;
  }
}
