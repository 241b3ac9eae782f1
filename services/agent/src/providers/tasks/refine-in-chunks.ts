import type { LlmRefiner, RefinementCall } from "../llm-refiner.ts";
import type { RefinementTask } from "../refinement-task.ts";

export interface ChunkedRefinement<T> {
  /** Each usable answer with the model that gave it. */
  answers: Array<{ items: T[]; model: string }>;
  /** Distinct notices, in the order they arose. */
  notices: string[];
}

/**
 * Splits `items` into prompts of at most `size` (long prompts cost more and fail more), asks
 * for all of them (the refiner's limit bounds how many run at once) and collects the answers.
 */
export async function refineInChunks<I, T>(
  refiner: LlmRefiner,
  call: RefinementCall,
  items: readonly I[],
  size: number,
  build: (chunk: readonly I[]) => RefinementTask<T[]>,
): Promise<ChunkedRefinement<T>> {
  const chunks: I[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  const results = await Promise.all(chunks.map((chunk) => refiner.refine(call, build(chunk))));
  const notices = new Set<string>();
  const answers: ChunkedRefinement<T>["answers"] = [];
  for (const result of results) {
    if (result.notice) notices.add(result.notice);
    if (result.value && result.model) answers.push({ items: result.value, model: result.model });
  }
  return { answers, notices: [...notices] };
}

/** Cuts model-written text to `max` characters for the reasons users read. */
export function clip(text: string, max: number): string {
  const single = text.replace(/\s+/g, " ").trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}
