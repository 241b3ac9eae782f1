import { type Attributes, context } from "@opentelemetry/api";
import { type BatchSpan, startBatchSpan } from "./batch-span.ts";
import { FlowInterrupted } from "./flow-interrupted.ts";

/** A keyset page: its items and the key of its last item, where the next page starts after. */
export interface Page<T> {
  first: number;
  last: number;
  items: T[];
}

export interface PipelineOptions<T, R> {
  /** Key after which to start (the checkpoint). */
  after: number;
  inFlight: number;
  nextPage(after: number): Promise<Page<T> | undefined>;
  /** The slow, side-effect-free part (an agent call); several run at once. */
  process(page: Page<T>): Promise<R>;
  /**
   * Writes one page's results as soon as they are in, several pages at once and in any order.
   * It must be idempotent (rows keyed by the page's rows: a page redone after a crash rewrites
   * the same ones) and must not advance the checkpoint nor queue events: `commit` does, in order.
   */
  store?(page: Page<T>, result: R): Promise<void>;
  /**
   * Advances the checkpoint over one page (and stores its results, when there is no `store`);
   * called strictly in page order, each after the page's `store` has committed.
   */
  commit(page: Page<T>, result: R): Promise<void>;
  stopping(): boolean;
  /** What a page's result counts (issues found, assets made), kept on its `flow.batch` span. */
  counts?(result: R): Attributes;
}

/** Pages in hand (read, not yet committed) per agent call in flight. */
const WINDOW_PAGES_PER_CALL = 2;

interface InHand<T, R> {
  page: Page<T>;
  /** The page's result once processed and, with `store`, stored. */
  done: Promise<R>;
  span: BatchSpan;
}

/**
 * Processes pages with up to `inFlight` of them at the agent at once, committing them in order,
 * so the checkpoint always marks a prefix of done work and a restart redoes at most the pages
 * not yet committed (no more than twice `inFlight`). A page's processing starts as soon as an
 * earlier one's ends, not when it is committed, so the agent is never idle while pages are
 * written. With `store`, each page's results are written as soon as they are in, in
 * transactions of their own side by side, and `commit` only moves the checkpoint over them in
 * order: a page stored but not yet committed is simply written again by a redo. On stop, no new
 * page starts; those in hand are finished and committed. On a failure, no further store starts
 * and those already started are awaited, so nothing is written once the phase has returned.
 */
export async function runPipeline<T, R>(options: PipelineOptions<T, R>): Promise<void> {
  const queue: InHand<T, R>[] = [];
  const storing = new Set<Promise<unknown>>();
  // Pages read but not yet committed: those at the agent and those processed, waiting for an
  // earlier page or being stored.
  const window = WINDOW_PAGES_PER_CALL * options.inFlight;
  let processing = 0;
  let failed = false;
  let after = options.after;
  let exhausted = false;
  let index = 0;
  const store = options.store;
  const stored = (page: Page<T>, span: BatchSpan, result: R): Promise<R> => {
    if (failed) return Promise.reject(new FlowInterrupted("stopping"));
    if (!store) return Promise.resolve(result);
    const write = context.with(span.context, () => store(page, result)).then(() => result);
    storing.add(write);
    const forget = () => storing.delete(write);
    write.then(forget, forget);
    return write;
  };
  const fill = async () => {
    while (!exhausted && !failed && processing < options.inFlight && queue.length < window && !options.stopping()) {
      const page = await options.nextPage(after);
      if (!page || page.items.length === 0) {
        exhausted = true;
        return;
      }
      after = page.last;
      // Each page is a child span of the phase, its agent call and its commit beneath it.
      const span = startBatchSpan({
        "flow.batch.index": index++,
        "flow.batch.first_row": page.first,
        "flow.batch.last_row": page.last,
        "flow.batch.records": page.items.length,
      });
      processing++;
      const processed = context.with(span.context, () => options.process(page));
      const freed = () => {
        processing--;
        refill();
      };
      processed.then(freed, freed);
      const done = processed.then((result) => stored(page, span, result));
      // Awaited in order below; this only keeps a later page's failure from being "unhandled" meanwhile.
      done.catch(() => {});
      queue.push({ page, done, span });
    }
  };
  // One fill at a time (pages are read in order); a slot freed meanwhile makes it look again.
  let filling: Promise<void> | undefined;
  let again = false;
  let fillError: { error: unknown } | undefined;
  const refill = (): Promise<void> => {
    again = true;
    filling ??= (async () => {
      try {
        while (again) {
          again = false;
          await fill();
        }
      } catch (error) {
        fillError ??= { error };
      } finally {
        filling = undefined;
      }
    })();
    return filling;
  };
  try {
    await refill();
    while (queue.length) {
      const head = queue[0] as InHand<T, R>;
      try {
        const result = await head.done;
        await context.with(head.span.context, () => options.commit(head.page, result));
        queue.shift();
        head.span.end({ counts: options.counts?.(result) });
      } catch (error) {
        queue.shift();
        head.span.end({ error });
        throw error;
      }
      await refill();
      if (fillError) throw fillError.error;
    }
    await filling;
    if (fillError) throw fillError.error;
  } catch (error) {
    failed = true;
    // A page read under way ends first; stores already under way finish (or fail) before the
    // phase reports: a later page's rows are never written after the flow was failed or handed
    // on. They are redone after a retry or takeover.
    await filling;
    await Promise.allSettled([...storing]);
    throw error;
  } finally {
    // Pages still in flight when an earlier one failed are dropped (redone after a retry).
    for (const dropped of queue) dropped.span.end({ counts: { "flow.batch.dropped": true } });
  }
  if (!exhausted) throw new FlowInterrupted("stopping");
}
