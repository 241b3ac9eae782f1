import type { ScoredTarget } from "./field-scoring.ts";
import { assignMaxProfit } from "./hungarian.ts";

/** A column's candidates for the global assignment. */
export interface ColumnCandidates {
  /** Digits blanked: the columns of a numbered series ("Disk 1 size", "Disk 2 size") share it. */
  series: string;
  /** A decision made before scoring: the tenant's learned lead (rank 2) or a format preset (rank 1). */
  pinned?: { target: string | null; rank: number };
  /** Scored targets, best first. */
  scored: readonly ScoredTarget[];
}

export interface Assigned {
  target: string | null;
  how: "pinned" | "assigned" | "series" | "sibling" | "none";
  /** For a sibling: the column that holds the target this one duplicates. */
  sibling?: number;
}

/**
 * One global assignment over all columns: pinned decisions first (learned, then presets), then
 * the maximum-total-score matching of the remaining columns to the remaining targets, so a
 * single-valued target goes to one column. A column that loses a target its header also names
 * is the holder's sibling (memory in MB beside memory in GB); numbered series share theirs.
 */
export function assignTargets(
  columns: readonly ColumnCandidates[],
  floor: number,
  multi: ReadonlySet<string>,
): Assigned[] {
  const result: Assigned[] = columns.map(() => ({ target: null, how: "none" }));
  const holder = new Map<string, number>();
  const pool: number[] = [];
  const pinnedOrder = columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => column.pinned)
    .sort((a, b) => (b.column.pinned?.rank ?? 0) - (a.column.pinned?.rank ?? 0));
  for (const { column, index } of pinnedOrder) {
    const target = column.pinned?.target ?? null;
    if (target === null) result[index] = { target: null, how: "pinned" };
    else if (!holder.has(target) || sameSeries(columns, holder.get(target) as number, index, target, multi)) {
      result[index] = { target, how: "pinned" };
      if (!holder.has(target)) holder.set(target, index);
    } else pool.push(index);
  }
  columns.forEach((column, index) => {
    if (!column.pinned) pool.push(index);
  });

  const targets = [
    ...new Set(pool.flatMap((i) => (columns[i]?.scored ?? []).filter((s) => s.score >= floor).map((s) => s.target))),
  ].filter((t) => !holder.has(t));
  const profit = targets.map((target) =>
    pool.map((i) => {
      const s = columns[i]?.scored.find((x) => x.target === target);
      return s && s.score >= floor ? s.score - floor + 0.01 : 0;
    }),
  );
  const chosen = assignMaxProfit(profit, pool.length);
  chosen.forEach((slot, row) => {
    if (slot < 0) return;
    const index = pool[slot] as number;
    const target = targets[row] as string;
    result[index] = { target, how: "assigned" };
    holder.set(target, index);
  });

  for (const index of pool) {
    if (result[index]?.target) continue;
    const best = columns[index]?.scored.find((s) => s.score >= floor);
    if (!best) continue;
    const held = holder.get(best.target);
    if (held === undefined) continue;
    if (sameSeries(columns, held, index, best.target, multi)) result[index] = { target: best.target, how: "series" };
    else if (best.header > 0 && (columns[held]?.scored.find((s) => s.target === best.target)?.header ?? 0) > 0) {
      result[index] = { target: null, how: "sibling", sibling: held };
    }
  }
  return result;
}

function sameSeries(
  columns: readonly ColumnCandidates[],
  a: number,
  b: number,
  target: string,
  multi: ReadonlySet<string>,
): boolean {
  const sa = columns[a]?.series ?? "";
  return multi.has(target) && sa.includes("#") && sa === columns[b]?.series;
}
