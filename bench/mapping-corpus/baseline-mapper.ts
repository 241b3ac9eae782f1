/**
 * The mapper as it was before issue 18 (dictionary spellings, Dice similarity, seven value
 * shapes), kept verbatim as the benchmark's same-run baseline. Not used by the services.
 */
import {
  ASSET_FIELDS,
  type AssetField,
  assetField,
  headerWords,
  isIpAddress,
  MAC_ADDRESS,
  normalizeCriticality,
  normalizeEnvironment,
  normalizeHeader,
  normalizePowerState,
  parseOperatingSystem,
  UUID,
} from "@migrate/domain";
import { FORMAT_PRESETS, type FormatPreset, presetColumn } from "../../services/agent/src/agents/format-presets.ts";

// The presets that existed before issue 18; later ones (Proxmox) are not the baseline's.
const BASELINE_PRESETS = new Set([
  "rvtools_vinfo",
  "aws_migration_hub",
  "azure_migrate",
  "google_migration_center",
  "servicenow_cmdb_ci_server",
]);
const detectFormat = (headers: ReadonlySet<string>): FormatPreset | undefined =>
  FORMAT_PRESETS.find((p) => BASELINE_PRESETS.has(p.name) && p.signature.every((h) => headers.has(h)));

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
  reason: string;
  /** The unit the column's values are in when its header or format says so (mb, mib, gib...). */
  unit?: string;
  alternatives: Array<{ target: string; confidence: number }>;
  /** The tenant's learned patterns chose this target. */
  learned: boolean;
}

export interface MappingResult {
  format: string;
  suggestions: MappingSuggestion[];
}

// Targets several columns may feed (summed disks, concatenated addresses).
export const MULTI_SOURCE: ReadonlySet<string> = new Set(["storage_gb", "ip_addresses", "tags"]);

/**
 * Maps source columns onto the canonical schema, strongest evidence first: the tenant's learned
 * patterns (ahead of everything else from `LEARNED_PRECEDENCE` on), a recognised export format,
 * the shipped synonym dictionary, name similarity, then the shape of the values. Each target is given to one column (the most confident) unless it can
 * aggregate; the losers fall back to their next candidate or stay custom attributes.
 */
export function suggestMappings(
  columns: readonly ColumnProfile[],
  learned: readonly LearnedHint[] = [],
): MappingResult {
  const normalized = columns.map((column) => normalizeHeader(column.source));
  const preset = detectFormat(new Set(normalized));
  const learnedBySource = new Map(learned.map((hint) => [normalizeHeader(hint.source), hint]));
  const candidates = columns.map((column, index) =>
    rankCandidates(column, normalized[index] ?? "", preset, learnedBySource.get(normalized[index] ?? "")),
  );

  // Columns with a learned lead choose first: the tenant's word beats a dictionary guess for one target.
  const order = candidates
    .map((_, index) => index)
    .sort((a, b) => byPrecedence(candidates[a]?.[0], candidates[b]?.[0]));
  const taken = new Set<string>();
  const suggestions: MappingSuggestion[] = new Array(columns.length);
  for (const index of order) {
    const ranked = candidates[index] ?? [];
    const chosen = ranked.find((c) => c.target === null || MULTI_SOURCE.has(c.target) || !taken.has(c.target));
    const source = columns[index]?.source ?? "";
    if (chosen?.target) taken.add(chosen.target);
    const alternatives = ranked
      .filter((c) => c !== chosen && c.target !== null)
      .slice(0, 3)
      .map((c) => ({ target: c.target as string, confidence: c.confidence }));
    suggestions[index] = chosen
      ? {
          source,
          target: chosen.target,
          confidence: chosen.confidence,
          reason: chosen.reason,
          unit: chosen.unit,
          alternatives,
          learned: chosen.learned === true,
        }
      : {
          source,
          target: null,
          confidence: 0,
          reason: "no canonical field matches; kept as a custom attribute",
          alternatives,
          learned: false,
        };
  }
  return { format: preset?.name ?? "generic", suggestions };
}

interface Candidate {
  target: string | null;
  confidence: number;
  reason: string;
  unit?: string;
  learned?: boolean;
}

/**
 * A learned pattern at or above this confidence outranks format presets and the dictionary: it is
 * the tenant's own answer for this header, where the others are general knowledge. Below it (a
 * pattern people kept rejecting) it competes on confidence like any candidate.
 */
export const LEARNED_PRECEDENCE = 0.5;

function leads(candidate: Candidate | undefined): boolean {
  return candidate?.learned === true && candidate.confidence >= LEARNED_PRECEDENCE;
}

/** Learned leads first, then the most confident. */
function byPrecedence(a: Candidate | undefined, b: Candidate | undefined): number {
  return Number(leads(b)) - Number(leads(a)) || (b?.confidence ?? 0) - (a?.confidence ?? 0);
}

function rankCandidates(
  column: ColumnProfile,
  normalized: string,
  preset: FormatPreset | undefined,
  hint: LearnedHint | undefined,
): Candidate[] {
  const out: Candidate[] = [];
  const unit = unitFromHeader(column.source);
  if (hint && assetField(hint.target)) {
    out.push({
      target: hint.target,
      confidence: round(hint.confidence),
      reason: `learned from ${hint.evidenceCount} approval(s) or correction(s) of this tenant`,
      unit,
      learned: true,
    });
  }
  const fromPreset = preset ? presetColumn(preset, normalized) : undefined;
  if (fromPreset) {
    out.push({
      target: fromPreset.target,
      confidence: 0.97,
      reason: fromPreset.target
        ? `${preset?.name} export: "${column.source}" is ${fromPreset.target}`
        : `${preset?.name} export: "${column.source}" has no canonical field; kept as a custom attribute`,
      unit: fromPreset.unit ?? unit,
    });
  }
  // A recognised format knows its own columns better than any dictionary.
  if (fromPreset) return out.sort(byPrecedence);
  for (const field of ASSET_FIELDS) {
    if (field.synonyms.includes(normalized) || field.name.replace(/_/g, "") === normalized) {
      out.push({
        target: field.name,
        confidence: 0.92,
        reason: `dictionary: "${column.source}" is a known name for ${field.name}`,
        unit,
      });
    }
  }
  if (!out.some((c) => c.confidence >= 0.9)) out.push(...similarityCandidates(column.source, normalized, unit));
  const shape = shapeCandidate(column.samples);
  if (shape) {
    const agreeing = out.find((c) => c.target === shape.target);
    if (agreeing) agreeing.confidence = round(Math.min(0.99, agreeing.confidence + 0.1));
    else out.push(shape);
  }
  for (const candidate of out) {
    const field = candidate.target ? assetField(candidate.target) : undefined;
    if (field && !valuesFit(field, column.samples)) {
      candidate.confidence = round(candidate.confidence - 0.3);
      candidate.reason += "; but most sample values do not fit its type";
    }
  }
  // One entry per target, the most confident; strongest first.
  const best = new Map<string | null, Candidate>();
  for (const candidate of out) {
    const existing = best.get(candidate.target);
    if (!existing || existing.confidence < candidate.confidence) best.set(candidate.target, candidate);
  }
  return [...best.values()].sort(byPrecedence);
}

function similarityCandidates(source: string, normalized: string, unit: string | undefined): Candidate[] {
  const words = headerWords(source).filter((w) => !["in", "of", "the", "mb", "gb", "mib", "gib", "tb"].includes(w));
  const results: Candidate[] = [];
  for (const field of ASSET_FIELDS) {
    let best = 0;
    let bestSynonym = "";
    for (const synonym of [field.name.replace(/_/g, ""), ...field.synonyms]) {
      const score = Math.max(dice(normalized, synonym), containment(words, synonym));
      if (score > best) {
        best = score;
        bestSynonym = synonym;
      }
    }
    if (best >= 0.7) {
      results.push({
        target: field.name,
        confidence: round(0.55 + (best - 0.7) * 1.0),
        reason: `name similar to "${bestSynonym}" (${field.name}), score ${best.toFixed(2)}`,
        unit,
      });
    }
  }
  return results.sort((a, b) => b.confidence - a.confidence).slice(0, 3);
}

/** Sørensen–Dice over character bigrams: robust to abbreviations and word order noise. */
function dice(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) grams.set(a.slice(i, i + 2), (grams.get(a.slice(i, i + 2)) ?? 0) + 1);
  let overlap = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const gram = b.slice(i, i + 2);
    const count = grams.get(gram) ?? 0;
    if (count > 0) {
      overlap++;
      grams.set(gram, count - 1);
    }
  }
  return (2 * overlap) / (a.length + b.length - 2);
}

/** All the header's words spell the synonym (e.g. "Host Name" → "hostname"). */
function containment(words: string[], synonym: string): number {
  return words.length > 0 && words.join("") === synonym ? 0.95 : 0;
}

function shapeCandidate(samples: readonly string[]): Candidate | undefined {
  const values = samples.map((s) => s.trim()).filter(Boolean);
  if (values.length < 3) return undefined;
  const share = (test: (value: string) => boolean) => values.filter(test).length / values.length;
  const checks: Array<[string, (v: string) => boolean, number, string]> = [
    ["ip_addresses", (v) => v.split(/[\s,;]+/).every(isIpAddress), 0.8, "IP addresses"],
    ["mac_address", (v) => MAC_ADDRESS.test(v), 0.85, "MAC addresses"],
    ["vm_uuid", (v) => UUID.test(v), 0.7, "UUIDs"],
    ["environment", (v) => normalizeEnvironment(v) !== undefined, 0.75, "environment names"],
    ["criticality", (v) => normalizeCriticality(v) !== undefined && !/^\d$/.test(v), 0.7, "criticality levels"],
    ["power_state", (v) => normalizePowerState(v) !== undefined, 0.7, "power states"],
    [
      "operating_system",
      (v) => (parseOperatingSystem(v)?.family ?? "other") !== "other",
      0.75,
      "operating system names",
    ],
  ];
  for (const [target, test, confidence, what] of checks) {
    if (share(test) >= 0.8) return { target, confidence, reason: `values look like ${what}` };
  }
  return undefined;
}

function valuesFit(field: AssetField, samples: readonly string[]): boolean {
  const values = samples.map((s) => s.trim()).filter(Boolean);
  if (values.length < 3) return true;
  const numeric = (v: string) => /\d/.test(v);
  if (["integer", "number", "size_gb", "percent"].includes(field.type)) {
    return values.filter(numeric).length / values.length >= 0.5;
  }
  if (field.name === "ip_addresses")
    return values.filter((v) => v.split(/[\s,;]+/).some(isIpAddress)).length / values.length >= 0.5;
  return true;
}

function unitFromHeader(header: string): string | undefined {
  const words = headerWords(header);
  for (const unit of ["mib", "mb", "gib", "gb", "tib", "tb", "kb"]) if (words.includes(unit)) return unit;
  if (/inmb$/i.test(normalizeHeader(header))) return "mb";
  return undefined;
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 100) / 100;
}
