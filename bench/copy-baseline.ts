import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The same-run baseline of the upload scenarios: seconds psql takes to \copy the CSV into a
 * fresh table of text columns, created before and dropped after.
 */
export function copyBaselineSeconds(csvPath: string): number {
  const header = readFileSync(csvPath, "utf8").split("\n", 1)[0] ?? "";
  const columns = header
    .split(",")
    .map((_, i) => `c${i} text`)
    .join(", ");
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const psql = (...args: string[]) => execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", ...args]);
  psql("-c", `drop table if exists bench_copy_baseline; create table bench_copy_baseline (${columns})`);
  const started = performance.now();
  psql("-c", `\\copy bench_copy_baseline from '${csvPath}' with (format csv, header true)`);
  const seconds = (performance.now() - started) / 1000;
  psql("-c", "drop table bench_copy_baseline");
  return seconds;
}
