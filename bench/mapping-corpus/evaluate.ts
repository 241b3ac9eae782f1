/**
 * Scores the mapper on the corpus the way a new user meets it: each file alone, a fresh tenant
 * (no learned patterns), no LLM, the column samples the flow sends (up to 20 non-empty values
 * from the first 500 rows, as services/flow/src/phases/column-profiles.ts), and the flow's own
 * review rule (services/flow/src/engine/mapping-review.ts) at the default threshold of 0.8.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import {
  type ColumnProfile,
  type MappingSuggestion,
  suggestMappings,
} from "../../services/agent/src/agents/field-mapping.ts";
import { reviewReasons } from "../../services/flow/src/engine/mapping-review.ts";
import type { Expected } from "./generate.ts";

export const REVIEW_THRESHOLD = 0.8;
const PROFILE_ROWS = 500;
const SAMPLES = 20;

export interface CorpusFile {
  name: string;
  expected: Expected;
  header: string[];
  rows: string[][];
}

export function loadCorpus(split: "dev" | "held-out"): CorpusFile[] {
  const dir = new URL(`${split}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .sort()
    .map((f) => {
      const name = f.replace(/\.expected\.json$/, "");
      const expected = JSON.parse(readFileSync(new URL(f, dir), "utf8")) as Expected;
      const [header = [], ...rows] = parse(readFileSync(new URL(`${name}.csv`, dir), "utf8"), {
        delimiter: expected.delimiter,
        relax_column_count: true,
      }) as string[][];
      return { name, expected, header, rows };
    });
}

/** The profiles the flow builds for the agent. */
export function flowProfiles(file: Pick<CorpusFile, "header" | "rows">): ColumnProfile[] {
  return file.header.map((source, index) => {
    const samples: string[] = [];
    for (const row of file.rows.slice(0, PROFILE_ROWS)) {
      const value = row[index] ?? "";
      if (samples.length < SAMPLES && value.trim() !== "") samples.push(value);
    }
    return { source, samples };
  });
}

export interface ColumnOutcome {
  source: string;
  expected: Array<string | null>;
  got: string | null;
  confidence: number;
  right: boolean;
  trap: boolean;
  reason: string;
  unitRight?: boolean;
}

export interface FileOutcome {
  name: string;
  split: string;
  kind: string;
  lang: string;
  format: string;
  columns: ColumnOutcome[];
  right: number;
  scored: number;
  reviewAsked: boolean;
  reviewReasons: string[];
  ms: number;
  width: number;
}

const UNIT_ALIAS: Record<string, string> = { mib: "mb", gib: "gb", kib: "kb", tib: "tb" };

/** A mapper under test: the current one, or the benchmark's baseline. */
export type Mapper = (
  columns: ColumnProfile[],
  presets: boolean,
) => { format: string; suggestions: MappingSuggestion[] };
export const currentMapper: Mapper = (columns, presets) => suggestMappings(columns, [], { presets });

export function evaluateFile(file: CorpusFile, presets: boolean, mapper: Mapper = currentMapper): FileOutcome {
  const profiles = flowProfiles(file);
  const started = performance.now();
  const result = mapper(profiles, presets);
  const ms = performance.now() - started;
  const bySource = new Map(result.suggestions.map((s) => [s.source, s]));
  const columns: ColumnOutcome[] = [];
  for (const [source, expected] of Object.entries(file.expected.columns)) {
    const s = bySource.get(source) as MappingSuggestion;
    const group = file.expected.siblings.find((g) => g.columns.includes(source));
    let right: boolean;
    if (group) {
      const holders = group.columns.filter((c) => bySource.get(c)?.target === group.target);
      right = s.target === group.target ? holders.length === 1 : s.target === null && holders.length === 1;
    } else right = expected.includes(s.target);
    const outcome: ColumnOutcome = {
      source,
      expected,
      got: s.target,
      confidence: s.confidence,
      right,
      trap: source in file.expected.traps,
      reason: s.reason,
    };
    const want = file.expected.units[source];
    if (
      right &&
      s.target &&
      want &&
      want !== "cell" &&
      ["memory_gb", "storage_gb", "storage_used_gb"].includes(s.target)
    ) {
      const median = Number(profiles.find((p) => p.source === source)?.samples[0] ?? 0);
      const unit = s.unit ? (UNIT_ALIAS[s.unit] ?? s.unit) : s.target === "memory_gb" && median > 1024 ? "mb" : "gb";
      outcome.unitRight = unit === want;
    }
    columns.push(outcome);
  }
  const mappings = result.suggestions.map((s) => ({
    source: s.source,
    target: s.target,
    confidence: s.confidence,
    state: "suggested",
  }));
  const reasons = reviewReasons(mappings, REVIEW_THRESHOLD);
  return {
    name: file.name,
    split: file.expected.split,
    kind: file.expected.kind,
    lang: file.expected.lang,
    format: result.format,
    columns,
    right: columns.filter((c) => c.right).length,
    scored: columns.length,
    reviewAsked: reasons.length > 0,
    reviewReasons: reasons,
    ms,
    width: file.header.length,
  };
}

export interface Totals {
  files: number;
  scored: number;
  right: number;
  accuracy: number;
  filesWithMiss: number;
  reviewsOnPerfect: number;
  missesUnreviewed: number;
  reviews: number;
  unitsChecked: number;
  unitsRight: number;
}

export function totals(outcomes: readonly FileOutcome[]): Totals {
  const scored = outcomes.reduce((n, o) => n + o.scored, 0);
  const right = outcomes.reduce((n, o) => n + o.right, 0);
  const units = outcomes.flatMap((o) => o.columns.filter((c) => c.unitRight !== undefined));
  return {
    files: outcomes.length,
    scored,
    right,
    accuracy: scored ? right / scored : 0,
    filesWithMiss: outcomes.filter((o) => o.right < o.scored).length,
    reviewsOnPerfect: outcomes.filter((o) => o.right === o.scored && o.reviewAsked).length,
    missesUnreviewed: outcomes.filter((o) => o.right < o.scored && !o.reviewAsked).length,
    reviews: outcomes.filter((o) => o.reviewAsked).length,
    unitsChecked: units.length,
    unitsRight: units.filter((c) => c.unitRight).length,
  };
}

export const BANDS: ReadonlyArray<[number, number]> = [
  [0, 0.5],
  [0.5, 0.8],
  [0.8, 0.9],
  [0.9, 0.95],
  [0.95, 1.01],
];

/** Mapped columns by confidence band: how many, and how many of them were right. */
export function reliability(outcomes: readonly FileOutcome[]): Array<{ band: string; columns: number; right: number }> {
  const mapped = outcomes.flatMap((o) => o.columns.filter((c) => c.got !== null));
  return BANDS.map(([lo, hi]) => {
    const inBand = mapped.filter((c) => c.confidence >= lo && c.confidence < hi);
    return {
      band: `${lo.toFixed(2)}–${Math.min(1, hi).toFixed(2)}`,
      columns: inBand.length,
      right: inBand.filter((c) => c.right).length,
    };
  });
}
