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
}

/**
 * Processes pages with up to `inFlight` in progress, committing them in order, so the
 * checkpoint always marks a prefix of done work and a restart redoes at most the pages that
 * were in flight. On stop, no new page starts; those in hand are finished and committed.
 */
export async function runPipeline<T, R>(options: PipelineOptions<T, R>): Promise<void> {
  const queue: Array<{ page: Page<T>; result: Promise<R> }> = [];
  let after = options.after;
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && queue.length < options.inFlight && !options.stopping()) {
      const page = await options.nextPage(after);
      if (!page || page.items.length === 0) {
        exhausted = true;
        return;
      }
      after = page.last;
      const result = options.process(page);
      // Awaited in order below; this only keeps a later page's failure from being "unhandled" meanwhile.
      result.catch(() => {});
      queue.push({ page, result });
    }
  };
  await fill();
  while (queue.length) {
    const head = queue.shift() as (typeof queue)[number];
    await options.commit(head.page, await head.result);
    await fill();
  }
  if (!exhausted) throw new FlowInterrupted("stopping");
}
