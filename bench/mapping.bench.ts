/**
 * Column mapping on the labelled corpus (bench/mapping-corpus): every file alone, as a new user
 * meets the mapper — a fresh tenant (no learned patterns), the heuristic provider (no LLM), the
 * samples the flow sends, the flow's own review rule. The mapper runs in-process. Baseline: the
 * mapper as it was before issue 18 (bench/mapping-corpus/baseline-mapper.ts), same files, same run.
 */
import type { MappingSuggestion } from "../services/agent/src/agents/field-mapping.ts";
import { suggestMappings } from "../services/agent/src/agents/field-mapping.ts";
import type { BenchResult } from "./bench-result.ts";
import { suggestMappings as baselineMappings } from "./mapping-corpus/baseline-mapper.ts";
import {
  type CorpusFile,
  evaluateFile,
  type FileOutcome,
  loadCorpus,
  type Mapper,
  reliability,
  totals,
} from "./mapping-corpus/evaluate.ts";

const baseline: Mapper = (columns) => baselineMappings(columns) as { format: string; suggestions: MappingSuggestion[] };
const WIDE_COLUMNS = 200;
const WIDE_ROWS = 1_000;
let section = "";

const pct = (x: number) => Math.round(x * 1000) / 10;

export async function run(): Promise<BenchResult[]> {
  const dev = loadCorpus("dev");
  const heldOut = loadCorpus("held-out");
  const all = [...dev, ...heldOut];
  const on = new Map(all.map((f) => [f.name, evaluateFile(f, true)]));
  const off = new Map(all.map((f) => [f.name, evaluateFile(f, false)]));
  const before = new Map(all.map((f) => [f.name, evaluateFile(f, true, baseline)]));
  const pick = (m: Map<string, FileOutcome>, files: CorpusFile[]) => files.map((f) => m.get(f.name) as FileOutcome);
  const t = {
    heldOut: totals(pick(on, heldOut)),
    heldOutOff: totals(pick(off, heldOut)),
    dev: totals(pick(on, dev)),
    allOff: totals(pick(off, all)),
    all: totals(pick(on, all)),
    beforeHeldOut: totals(pick(before, heldOut)),
    beforeAll: totals(pick(before, all)),
  };
  const columns = [...on.values()].reduce((n, o) => n + o.width, 0);
  const msPerColumn = [...on.values()].reduce((n, o) => n + o.ms, 0) / columns;
  const baselineMsPerColumn = [...before.values()].reduce((n, o) => n + o.ms, 0) / columns;
  const wide = wideInput(all);
  const wideMs = median(7, () => suggestMappings(wide, [], { presets: true }));
  const wideBaselineMs = median(7, () => baselineMappings(wide));
  section = renderDetails(all, on, off, before, t, msPerColumn, wideMs);

  const scenario = (files: number, what: string) => `mapping: ${what} (${files} formats), fresh tenant, no LLM`;
  return [
    {
      scenario: scenario(heldOut.length, "held-out corpus"),
      metric: "top-1 accuracy, presets on",
      value: pct(t.heldOut.accuracy),
      unit: "%",
      baseline: { label: "mapper before issue 18", value: pct(t.beforeHeldOut.accuracy) },
      target: "≥ 97 %",
      meetsTarget: t.heldOut.accuracy >= 0.97,
    },
    {
      scenario: scenario(heldOut.length, "held-out corpus"),
      metric: "top-1 accuracy, presets off",
      value: pct(t.heldOutOff.accuracy),
      unit: "%",
      target: "≥ 95 %",
      meetsTarget: t.heldOutOff.accuracy >= 0.95,
    },
    {
      scenario: scenario(all.length, "whole corpus"),
      metric: "top-1 accuracy, presets off",
      value: pct(t.allOff.accuracy),
      unit: "%",
      baseline: { label: "mapper before issue 18, presets on", value: pct(t.beforeAll.accuracy) },
      target: "≥ 95 %",
      meetsTarget: t.allOff.accuracy >= 0.95,
    },
    {
      scenario: scenario(dev.length, "dev corpus (tuned on)"),
      metric: "top-1 accuracy, presets on",
      value: pct(t.dev.accuracy),
      unit: "%",
    },
    {
      scenario: scenario(all.length, "whole corpus"),
      metric: "reviews asked on files where every column is right",
      value: t.all.reviewsOnPerfect,
      unit: "files",
      baseline: { label: "mapper before issue 18", value: t.beforeAll.reviewsOnPerfect },
      target: "0",
      meetsTarget: t.all.reviewsOnPerfect === 0,
    },
    {
      scenario: scenario(all.length, "whole corpus"),
      metric: "files with a wrong column and no review",
      value: t.all.missesUnreviewed,
      unit: "files",
      baseline: { label: "mapper before issue 18", value: t.beforeAll.missesUnreviewed },
      target: "0",
      meetsTarget: t.all.missesUnreviewed === 0,
    },
    {
      scenario: scenario(all.length, "whole corpus"),
      metric: "time per column (flow samples: ≤ 20 values)",
      value: msPerColumn,
      unit: "ms",
      baseline: { label: "mapper before issue 18", value: baselineMsPerColumn },
    },
    {
      scenario: `mapping: ${WIDE_COLUMNS} columns × ${WIDE_ROWS} sampled rows (median of 7)`,
      metric: "time to map",
      value: wideMs,
      unit: "ms",
      baseline: { label: "mapper before issue 18", value: wideBaselineMs },
      target: "≤ 50 ms",
      meetsTarget: wideMs <= 50,
    },
  ];
}

export function details(): string {
  return section;
}

/** 200 real columns of the corpus, each with 1,000 values (its rows, repeated). */
function wideInput(files: CorpusFile[]) {
  const columns = files.flatMap((f) =>
    f.header.map((source, i) => ({ source, values: f.rows.map((row) => row[i] ?? "") })),
  );
  return Array.from({ length: WIDE_COLUMNS }, (_, k) => {
    const column = columns[(k * 7) % columns.length] as { source: string; values: string[] };
    const samples = Array.from({ length: WIDE_ROWS }, (_, r) => column.values[r % column.values.length] ?? "");
    return { source: `${column.source} ${k}`, samples };
  });
}

function median(runs: number, work: () => unknown): number {
  work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

function renderDetails(
  files: CorpusFile[],
  on: Map<string, FileOutcome>,
  off: Map<string, FileOutcome>,
  before: Map<string, FileOutcome>,
  t: Record<string, ReturnType<typeof totals>>,
  msPerColumn: number,
  wideMs: number,
): string {
  const rows = files.map((f) => {
    const a = on.get(f.name) as FileOutcome;
    const b = off.get(f.name) as FileOutcome;
    const c = before.get(f.name) as FileOutcome;
    const miss = a.columns.filter((x) => !x.right).map((x) => `${x.source} → ${x.got ?? "custom"}`);
    return `| ${f.name} | ${a.split} | ${a.kind} | ${a.lang} | ${a.right}/${a.scored} | ${b.right}/${b.scored} | ${c.right}/${c.scored} | ${a.reviewAsked ? "yes" : "no"} | ${miss.join("; ") || "—"} |`;
  });
  const band = (outcomes: FileOutcome[]) =>
    reliability(outcomes)
      .map((r) => `| ${r.band} | ${r.columns} | ${r.right} | ${r.columns ? `${pct(r.right / r.columns)} %` : "—"} |`)
      .join("\n");
  const heldOut = files.filter((f) => f.expected.split === "held-out").map((f) => on.get(f.name) as FileOutcome);
  const dev = files.filter((f) => f.expected.split === "dev").map((f) => on.get(f.name) as FileOutcome);
  const line = (name: string, x: ReturnType<typeof totals>) =>
    `| ${name} | ${x.files} | ${x.right}/${x.scored} (${pct(x.accuracy)} %) | ${x.filesWithMiss} | ${x.reviews} | ${x.reviewsOnPerfect} | ${x.missesUnreviewed} | ${x.unitsRight}/${x.unitsChecked} |`;
  return `## Column mapping (bench/mapping.bench.ts)

Every file of \`bench/mapping-corpus\` mapped alone, in-process: a fresh tenant (no learned
patterns), the heuristic provider (no LLM), the samples the flow sends (≤ 20 non-empty values
from the first 500 rows), and the flow's review rule at MAPPING_CONFIDENCE_THRESHOLD = 0.8.
Details and method: docs/mapping.md. ${msPerColumn.toFixed(3)} ms per column;
${WIDE_COLUMNS} columns × ${WIDE_ROWS} rows in ${wideMs.toFixed(1)} ms.

| part | files | right | files with a miss | reviews asked | reviews on perfect files | misses unreviewed | size units right |
|---|---|---|---|---|---|---|---|
${line("held-out, presets on", t.heldOut as ReturnType<typeof totals>)}
${line("held-out, presets off", t.heldOutOff as ReturnType<typeof totals>)}
${line("dev, presets on", t.dev as ReturnType<typeof totals>)}
${line("all, presets off", t.allOff as ReturnType<typeof totals>)}
${line("all, mapper before issue 18", t.beforeAll as ReturnType<typeof totals>)}

Reliability (mapped columns by confidence), held-out:

| confidence | columns | right | share right |
|---|---|---|---|
${band(heldOut)}

Reliability, dev:

| confidence | columns | right | share right |
|---|---|---|---|
${band(dev)}

Per file (presets on / presets off / mapper before issue 18):

| file | part | kind | lang | right | presets off | before | review | misses (presets on) |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}
`;
}
