import { isMeshError, MeshError } from "@migrate/errors";
import type { Logger } from "@migrate/logger";
import { FlowInterrupted } from "./flow-interrupted.ts";

const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 3_000;

export interface AgentCallOptions {
  attempts: number;
  /** Aborted when the flow's lease is lost: the call is cancelled and not retried. */
  signal: AbortSignal;
  /** True once the engine stops: no further retry waits, the lease is handed on instead. */
  stopping: () => boolean;
  logger: Logger;
}

/**
 * Calls the agent, retrying UNAVAILABLE and DEADLINE_EXCEEDED with jittered exponential backoff
 * so an agent restart mid-flow costs a few seconds, not the flow. Other errors are final.
 */
export async function callAgent<T>(
  name: string,
  call: (signal: AbortSignal) => Promise<T>,
  options: AgentCallOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) throw new FlowInterrupted("lease_lost");
    try {
      return await call(options.signal);
    } catch (error) {
      if (options.signal.aborted) throw new FlowInterrupted("lease_lost");
      const transient = isMeshError(error) && (error.code === "UNAVAILABLE" || error.code === "DEADLINE_EXCEEDED");
      if (!transient) throw error;
      if (attempt >= options.attempts) {
        throw new MeshError(
          error.code,
          `the agent service did not answer ${name} after ${attempt} attempts: ${error.message}`,
          error.details,
          { cause: error },
        );
      }
      if (options.stopping()) throw new FlowInterrupted("stopping");
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
      const wait = backoff / 2 + Math.random() * (backoff / 2);
      options.logger.warn(
        { agent_call: name, attempt, code: error.code, wait_ms: Math.round(wait) },
        "agent call retried",
      );
      await sleep(wait, options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
