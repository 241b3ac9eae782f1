/**
 * Maximum-weight assignment of rows to columns (rows ≤ columns), the Hungarian method in
 * O(rows² · columns): targets are the rows (a few dozen), source columns the columns (up to
 * thousands), so the cost stays linear in the width of the file.
 * Returns, for each row, the column it gets (or -1 when its best is a zero-profit edge).
 */
export function assignMaxProfit(profit: readonly (readonly number[])[], columns: number): number[] {
  const rows = profit.length;
  if (rows === 0) return [];
  const m = Math.max(columns, rows);
  const INF = Number.POSITIVE_INFINITY;
  // 1-based potentials and matching, as in the classic formulation; cost = -profit.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(m + 1);
  const match = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const cost = (i: number, j: number) => -((profit[i - 1] as readonly number[])[j - 1] ?? 0);
  for (let i = 1; i <= rows; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(INF);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0] as number;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const current = cost(i0, j) - (u[i0] as number) - (v[j] as number);
        if (current < (minv[j] as number)) {
          minv[j] = current;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[match[j] as number] = (u[match[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else minv[j] = (minv[j] as number) - delta;
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      match[j0] = match[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    const i = match[j] as number;
    if (i > 0 && j <= columns && ((profit[i - 1] as readonly number[])[j - 1] ?? 0) > 0) result[i - 1] = j - 1;
  }
  return result;
}
