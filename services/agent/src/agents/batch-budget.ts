import { setImmediate as nextTurn } from "node:timers/promises";
import { MeshError } from "@migrate/errors";

/** The time one agent call may spend on its records (AGENT_BATCH_BUDGET_MS). */
export const DEFAULT_BATCH_BUDGET_MS = 20_000;
/**
 * Synchronous work between two turns of the event loop: short enough that health checks, other
 * calls and SIGTERM are served within it, long enough that yielding costs nothing measurable.
 */
export const SLICE_MS = 50;

/** A step of an agent's per-record loop: the row it has just finished. */
export type RecordSteps<T> = Generator<number, T, void>;

/**
 * The time budget of one agent call. Its per-record loops run through `run`, which hands the
 * event loop back every SLICE_MS and refuses to go on once the call has spent its budget on them
 * or the caller has gone (cancelled, or past its deadline): one batch can neither stall the
 * process nor run for ever. Only time in those loops counts, not waits between them (an LLM's
 * answer, other calls' turns). The error is final (PAYLOAD_TOO_LARGE, RESOURCE_EXHAUSTED over
 * gRPC), so the flow does not send the same batch again.
 */
export class BatchBudget {
  readonly #work: string;
  readonly #budgetMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #now: () => number;
  #spentMs = 0;

  constructor(options: { work: string; budgetMs: number; signal?: AbortSignal; now?: () => number }) {
    this.#work = options.work;
    this.#budgetMs = options.budgetMs;
    this.#signal = options.signal;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Time spent so far in this budget's loops. */
  get spentMs(): number {
    return this.#spentMs;
  }

  /** Runs an agent's record loop to its end, a slice at a time. */
  async run<T>(steps: RecordSteps<T>): Promise<T> {
    this.#check(0);
    let sliceStarted = this.#now();
    for (;;) {
      const step = steps.next();
      const now = this.#now();
      if (step.done) {
        this.#spentMs += now - sliceStarted;
        return step.value;
      }
      if (now - sliceStarted < SLICE_MS) continue;
      this.#spentMs += now - sliceStarted;
      this.#check(step.value);
      await nextTurn();
      // The caller may have gone while other work had its turn.
      this.#check(step.value);
      sliceStarted = this.#now();
    }
  }

  #check(row: number): void {
    const at = row > 0 ? ` at row ${row}` : "";
    if (this.#signal?.aborted) {
      throw new MeshError("DEADLINE_EXCEEDED", `${this.#work} stopped${at}: the caller cancelled the call`, { row });
    }
    if (this.#spentMs > this.#budgetMs) {
      throw new MeshError(
        "PAYLOAD_TOO_LARGE",
        `${this.#work} took longer than the agent's budget of ${this.#budgetMs} ms per call (AGENT_BATCH_BUDGET_MS) and stopped${at}; send smaller batches (FLOW_BATCH_SIZE) or raise the budget`,
        { row, setting: "AGENT_BATCH_BUDGET_MS", limit: this.#budgetMs, spent_ms: Math.round(this.#spentMs) },
      );
    }
  }
}

/** Runs a record loop without pacing: for callers (and tests) outside a gRPC call. */
export function runToEnd<T>(steps: RecordSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
