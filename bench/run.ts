/**
 * `npm run bench [-- <name>...]`: runs every `bench/*.bench.ts` (or the named ones), prints the
 * figures and writes docs/benchmarks.md. Each scenario measures its baseline in the same run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { BenchResult } from "./bench-result.ts";

const only = process.argv.slice(2);
const dir = new URL(".", import.meta.url);
const modules = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

// Figures of scenarios not run this time are kept from the last run, each with its own date.
const store = new URL("../docs/benchmarks.json", import.meta.url);
// A scenario may also return a markdown section (per-file tables...), kept and written below the table.
const saved: Record<string, { date: string; results: BenchResult[]; details?: string }> = existsSync(store)
  ? JSON.parse(readFileSync(store, "utf8"))
  : {};
const results: BenchResult[] = [];
for (const file of modules) {
  console.error(`[bench] ${file}`);
  const started = Date.now();
  const module = (await import(new URL(file, dir).href)) as {
    run: () => Promise<BenchResult[]>;
    details?: () => string;
  };
  const produced = await module.run();
  results.push(...produced);
  saved[file] = { date: new Date().toISOString().slice(0, 10), results: produced, details: module.details?.() };
  for (const r of produced)
    console.error(
      `  ${r.scenario} · ${r.metric}: ${format(r.value)} ${r.unit}${r.baseline ? ` (baseline ${r.baseline.label}: ${format(r.baseline.value)} ${r.unit})` : ""}`,
    );
  console.error(`[bench] ${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const rows = Object.entries(saved)
  .sort()
  .flatMap(([file, entry]) => entry.results.map((r) => ({ ...r, file, date: entry.date })))
  .map(
    (r) =>
      `| ${r.scenario} | ${r.metric} | ${format(r.value)} ${r.unit} | ${r.baseline ? `${format(r.baseline.value)} ${r.unit} (${r.baseline.label})` : "—"} | ${r.target ?? "—"} | ${r.meetsTarget === undefined ? "—" : r.meetsTarget ? "yes" : "**no**"} | ${r.date} |`,
  );
const markdown = `# Benchmarks

Produced by \`npm run bench\` (last run ${new Date().toISOString().slice(0, 10)}) on ${machine}.
Every figure sits beside a baseline measured in the same run. Re-run to refresh; the scenarios
are in \`bench/*.bench.ts\`.

| scenario | metric | value | baseline (same run) | target | meets | measured |
|---|---|---|---|---|---|---|
${rows.join("\n")}
${Object.entries(saved)
  .sort()
  .filter(([, entry]) => entry.details)
  .map(([, entry]) => `\n${entry.details?.trimEnd()}\n`)
  .join("")}`;
writeFileSync(store, `${JSON.stringify(saved, null, 2)}\n`);
writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), markdown);
console.error(`[bench] wrote docs/benchmarks.md (${results.length} figures from this run)`);
