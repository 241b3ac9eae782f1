import { assetField, normalizeHeader } from "@migrate/domain";
import { detectFormat, presetColumn } from "./format-presets.ts";
import { assignTargets, type ColumnCandidates } from "./mapping/assignment.ts";
import { decideUnit } from "./mapping/column-unit.ts";
import { calibratedConfidence } from "./mapping/confidence.ts";
import { type ScoredTarget, scoreColumn } from "./mapping/field-scoring.ts";
import { type HeaderReading, readHeader } from "./mapping/header-reader.ts";
import { profileValues } from "./mapping/value-profile.ts";

/** A source column and a few of its non-empty values, for shape inference. */
export interface ColumnProfile {
  source: string;
  samples: readonly string[];
}

/** What the tenant taught the platform for a header (from the learning service). */
export interface LearnedHint {
  source: string;
  target: string;
  confidence: number;
  evidenceCount: number;
}

export interface MappingSuggestion {
  source: string;
  /** null: no canonical target; the column is kept as a custom attribute. */
  target: string | null;
  confidence: number;
  /** Why: the header words matched, the unit read, the values that decided. */
  reason: string;
  /** The unit the column's values are in when its header, format or values say so (mb, mib, gb...). */
  unit?: string;
  alternatives: Array<{ target: string; confidence: number }>;
  /** The tenant's learned patterns chose this target. */
  learned: boolean;
  /** The column that holds the target this one duplicates (memory in MB beside memory in GB). */
  sibling?: string;
}

export interface MappingResult {
  format: string;
  suggestions: MappingSuggestion[];
}

export interface MappingOptions {
  /** Recognise the preset formats (default true); the benchmark measures without them too. */
  presets?: boolean;
}

// Targets several columns may feed (summed disks, concatenated addresses).
export const MULTI_SOURCE: ReadonlySet<string> = new Set(["storage_gb", "ip_addresses", "tags"]);

/**
 * A learned pattern at or above this confidence outranks format presets and the scorer: it is
 * the tenant's own answer for this header, where the others are general knowledge. Below it (a
 * pattern people kept rejecting) it competes on confidence like any candidate.
 */
export const LEARNED_PRECEDENCE = 0.5;

/** A (column, target) pair scoring below this is no mapping: the column stays a custom attribute. */
export const MAPPING_FLOOR = 0.5;
const PRESET_CONFIDENCE = 0.97;

/**
 * Maps source columns onto the canonical schema by meaning: each header is read through the
 * multilingual lexicon (words, unit, aggregation, negation), each column's values are profiled,
 * every (column, target) pair is scored on both, and one global assignment gives each
 * single-valued target to one column. The tenant's learned patterns lead; a recognised export
 * format pins the columns whose headers mislead. Confidence is calibrated: below the review
 * threshold means "likely wrong".
 */
export function suggestMappings(
  columns: readonly ColumnProfile[],
  learned: readonly LearnedHint[] = [],
  options: MappingOptions = {},
): MappingResult {
  const normalized = columns.map((column) => normalizeHeader(column.source));
  const preset = options.presets === false ? undefined : detectFormat(new Set(normalized));
  const learnedBySource = new Map(learned.map((hint) => [normalizeHeader(hint.source), hint]));
  const readings = columns.map((column) => readHeader(column.source));
  const profiles = columns.map((column) => profileValues(column.samples));

  // A version with no subject ("Version", "SP", "Build") is the version of what the file is about.
  const context = versionContext(readings);
  const candidates: ColumnCandidates[] = [];
  const presets: Array<ReturnType<typeof presetColumn>> = [];
  const hints: Array<LearnedHint | undefined> = [];
  columns.forEach((_, i) => {
    const reading = readings[i] as HeaderReading;
    const hint = learnedBySource.get(normalized[i] ?? "");
    const usableHint = hint && assetField(hint.target) ? hint : undefined;
    const fromPreset = preset ? presetColumn(preset, normalized[i] ?? "") : undefined;
    const scored = inContext(scoreColumn(reading, profiles[i] as ReturnType<typeof profileValues>), reading, context);
    // A hint people kept rejecting competes as one more candidate, on its own confidence.
    const withHint =
      usableHint && usableHint.confidence < LEARNED_PRECEDENCE
        ? [...scored, learnedCandidate(usableHint)].sort((a, b) => b.score - a.score)
        : scored;
    const pinned =
      usableHint && usableHint.confidence >= LEARNED_PRECEDENCE
        ? { target: usableHint.target, rank: 2 }
        : fromPreset
          ? { target: fromPreset.target, rank: 1 }
          : undefined;
    candidates.push({ series: reading.series, pinned, scored: withHint });
    presets.push(fromPreset);
    hints.push(usableHint);
  });

  const assigned = assignTargets(candidates, MAPPING_FLOOR, MULTI_SOURCE);
  // A target another column holds is no rival: that column made the stronger claim to it.
  const held = new Map<string, number>();
  assigned.forEach((a, i) => {
    if (a.target && !held.has(a.target)) held.set(a.target, i);
  });
  const suggestions = columns.map((column, i): MappingSuggestion => {
    const decision = assigned[i] as (typeof assigned)[number];
    const scored = candidates[i]?.scored ?? [];
    const reading = readings[i] as HeaderReading;
    const profile = profiles[i] as ReturnType<typeof profileValues>;
    const hint = hints[i];
    const fromPreset = presets[i];
    const target = decision.target;
    const alternatives = scored
      .filter((s) => s.target !== target && s.score >= 0.3)
      .slice(0, 3)
      .map((s) => ({
        target: s.target,
        confidence: s.reason.startsWith("learned") ? s.score : confidenceOf(s, scored),
      }));
    if (decision.how === "pinned" && hint && target === hint.target && hint.confidence >= LEARNED_PRECEDENCE) {
      return {
        source: column.source,
        target,
        confidence: round(hint.confidence),
        reason: `learned from ${hint.evidenceCount} approval(s) or correction(s) of this tenant`,
        unit: decideUnit(target, reading, profile).unit,
        alternatives,
        learned: true,
      };
    }
    if (decision.how === "pinned" && fromPreset && preset) {
      return {
        source: column.source,
        target,
        confidence: PRESET_CONFIDENCE,
        reason: target
          ? `${preset.name} export: "${column.source}" is ${target}`
          : `${preset.name} export: "${column.source}" has no canonical field; kept as a custom attribute`,
        unit: fromPreset.unit ?? (target ? decideUnit(target, reading, profile).unit : undefined),
        alternatives,
        learned: false,
      };
    }
    if (target) {
      const chosen = scored.find((s) => s.target === target) as ScoredTarget;
      if (chosen.reason.startsWith("learned")) {
        return {
          source: column.source,
          target,
          confidence: round(chosen.score),
          reason: chosen.reason,
          alternatives,
          learned: true,
        };
      }
      const unit = decideUnit(target, reading, profile);
      return {
        source: column.source,
        target,
        confidence: confidenceOf(
          chosen,
          scored.filter((s) => s === chosen || (held.get(s.target) ?? i) === i),
        ),
        reason: [decision.how === "series" ? "one of a numbered series" : "", chosen.reason, unit.why ?? ""]
          .filter(Boolean)
          .join("; "),
        unit: unit.unit,
        alternatives,
        learned: false,
      };
    }
    if (decision.how === "sibling" && decision.sibling !== undefined) {
      const holder = columns[decision.sibling]?.source ?? "";
      const best = scored[0] as ScoredTarget;
      return {
        source: column.source,
        target: null,
        confidence: confidenceOf(best, scored),
        reason: `duplicates "${holder}" (${best.target}); kept as a custom attribute beside it`,
        alternatives,
        learned: false,
        sibling: holder,
      };
    }
    return {
      source: column.source,
      target: null,
      confidence: 0,
      reason: customReason(reading, scored),
      alternatives,
      learned: false,
    };
  });
  return { format: preset?.name ?? "generic", suggestions };
}

const BARE_VERSION = new Set(["version", "patch", "asset", "number", "name"]);

/**
 * What a bare version belongs to: a database report's databases; the OS when a column names an
 * OS and none names the OS's version already (then the bare one is something else's).
 */
function versionContext(readings: readonly HeaderReading[]): "database_version" | "os_version" | undefined {
  const count = (test: (r: HeaderReading) => boolean) => readings.filter(test).length;
  const databases = count((r) => r.concepts.has("database") || r.concepts.has("engine"));
  const osVersion = count((r) => r.concepts.has("os") && (r.concepts.has("version") || r.concepts.has("patch")));
  if (databases >= 2 || (databases >= 1 && osVersion > 0)) return "database_version";
  return osVersion === 0 && count((r) => r.concepts.has("os") || r.concepts.has("kernel")) > 0
    ? "os_version"
    : undefined;
}

function inContext(scored: ScoredTarget[], reading: HeaderReading, context: string | undefined): ScoredTarget[] {
  if (context === "os_version" || ![...reading.concepts.keys()].every((c) => BARE_VERSION.has(c))) return scored;
  const os = scored.find((s) => s.target === "os_version");
  if (!os) return scored;
  const rest = scored.filter((s) => s !== os);
  const moved: ScoredTarget[] =
    context === "database_version"
      ? [{ ...os, target: "database_version", reason: `${os.reason}; the file is a database report` }]
      : [
          {
            ...os,
            score: os.score - 0.6,
            header: os.header - 0.6,
            reason: `${os.reason}; but no column of this file names an OS`,
          },
        ];
  return [...rest.filter((s) => s.target !== "database_version"), ...moved].sort((a, b) => b.score - a.score);
}

function learnedCandidate(hint: LearnedHint): ScoredTarget {
  return {
    target: hint.target,
    score: round(hint.confidence),
    header: 0,
    values: 0,
    reason: `learned from ${hint.evidenceCount} approval(s) or correction(s) of this tenant`,
  };
}

/** The calibrated confidence of one scored target among the column's others. */
function confidenceOf(chosen: ScoredTarget, scored: readonly ScoredTarget[]): number {
  const other = scored.find((s) => s.target !== chosen.target);
  return calibratedConfidence({
    margin: other ? chosen.score - other.score : 1,
    header: chosen.header,
    values: chosen.values,
    distinctive: chosen.distinctive,
  });
}

function customReason(reading: HeaderReading, scored: readonly ScoredTarget[]): string {
  const words = [...reading.concepts.values()];
  const said = words.length ? `header says ${words.map((w) => `"${w}"`).join(", ")}` : "no known words in the header";
  const near = scored[0] ? `; nearest: ${scored[0].target} (${scored[0].reason})` : "";
  return `no canonical field matches (${said}${near}); kept as a custom attribute`;
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 100) / 100;
}
