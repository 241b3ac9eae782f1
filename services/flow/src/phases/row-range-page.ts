import type { Page } from "../engine/batch-pipeline.ts";

/**
 * The next keyset page of a flow's rows as a row-number RANGE, `after + 1` to `after + size`,
 * rather than `row_number > after order by row_number limit size`. On tables just filled (no
 * statistics yet) PostgreSQL plans the latter as a bitmap scan of every remaining row of the
 * flow plus a sort, so each page cost as much as the rows still to come: quadratic over a
 * flow (measured: 35 ms per 1,000-row page at row 3,000 of 10,000, growing with the estate).
 * A range touches only its own rows whatever the plan. Row numbers are dense from the upload; a
 * range with no rows left (all duplicates) jumps to the next row that exists, if any.
 */
export async function rowRangePage<T>(
  after: number,
  size: number,
  read: (from: number, to: number) => Promise<T[]>,
  nextRowAfter: (after: number) => Promise<number | null | undefined>,
): Promise<Page<T> | undefined> {
  let from = after + 1;
  let items = await read(from, from + size - 1);
  if (items.length === 0) {
    const next = await nextRowAfter(after);
    if (next === null || next === undefined) return undefined;
    from = next;
    items = await read(from, from + size - 1);
  }
  return { first: from, last: from + size - 1, items };
}
