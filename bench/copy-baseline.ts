import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The same-run baseline of the upload scenarios: seconds psql takes to \copy the CSV into a
 * fresh table of text columns, created before and dropped after. The table's name is its own, so
 * two benches sharing a database (or a table left by an interrupted run) never meet.
 */
export function copyBaselineSeconds(csvPath: string): number {
  const header = readFileSync(csvPath, "utf8").split("\n", 1)[0] ?? "";
  const columns = header
    .split(",")
    .map((_, i) => `c${i} text`)
    .join(", ");
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const psql = (...args: string[]) => execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", ...args]);
  const table = `bench_copy_${process.pid}_${randomBytes(4).toString("hex")}`;
  psql("-c", `create table ${table} (${columns})`);
  try {
    const started = performance.now();
    psql("-c", `\\copy ${table} from '${csvPath}' with (format csv, header true)`);
    return (performance.now() - started) / 1000;
  } finally {
    psql("-c", `drop table ${table}`);
  }
}
