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
  /** Stores one page's result and advances the checkpoint; called strictly in page order. */
  commit(page: Page<T>, result: R): Promise<void>;
  stopping(): boolean;
  /** What a page's result counts (issues found, assets made), kept on its `flow.batch` span. */
  counts?(result: R): Attributes;
}

/**
 * Processes pages with up to `inFlight` in progress, committing them in order, so the
 * checkpoint always marks a prefix of done work and a restart redoes at most the pages that
 * were in flight. On stop, no new page starts; those in hand are finished and committed.
 */
export async function runPipeline<T, R>(options: PipelineOptions<T, R>): Promise<void> {
  const queue: Array<{ page: Page<T>; result: Promise<R>; span: BatchSpan }> = [];
  let after = options.after;
  let exhausted = false;
  let index = 0;
  const fill = async () => {
    while (!exhausted && queue.length < options.inFlight && !options.stopping()) {
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
      const result = context.with(span.context, () => options.process(page));
      // Awaited in order below; this only keeps a later page's failure from being "unhandled" meanwhile.
      result.catch(() => {});
      queue.push({ page, result, span });
    }
  };
  try {
    await fill();
    while (queue.length) {
      const head = queue.shift() as (typeof queue)[number];
      try {
        const result = await head.result;
        await context.with(head.span.context, () => options.commit(head.page, result));
        head.span.end({ counts: options.counts?.(result) });
      } catch (error) {
        head.span.end({ error });
        throw error;
      }
      await fill();
    }
  } finally {
    // Pages still in flight when an earlier one failed are dropped (redone after a retry).
    for (const dropped of queue) dropped.span.end({ counts: { "flow.batch.dropped": true } });
  }
  if (!exhausted) throw new FlowInterrupted("stopping");
}
