/** One measured figure, beside the baseline measured in the same run. */
export interface BenchResult {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** The target, in words (e.g. "< 1 s"). */
  target?: string;
  /** Whether the figure meets the target, when there is one. */
  meetsTarget?: boolean;
}

/** p-th percentile (0..100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
