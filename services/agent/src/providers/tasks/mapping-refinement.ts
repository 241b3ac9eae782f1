import { ASSET_FIELD_NAMES, ASSET_FIELDS } from "@migrate/domain";
import { z } from "zod";
import {
  type ColumnProfile,
  type MappingResult,
  type MappingSuggestion,
  MULTI_SOURCE,
} from "../../agents/field-mapping.ts";
import { type HeaderReading, readHeader } from "../../agents/mapping/header-reader.ts";
import { profileValues } from "../../agents/mapping/value-profile.ts";
import type { LlmRefiner, RefinementCall } from "../llm-refiner.ts";
import { zodTask } from "../refinement-task.ts";
import { valueShapes } from "../value-shape.ts";
import { clip, refineInChunks } from "./refine-in-chunks.ts";

const COLUMNS_PER_PROMPT = 40;
/** A model's mapping may clear the review threshold, but never reads as certain as a format preset. */
const MAX_LLM_CONFIDENCE = 0.9;
const TARGETS = new Set(ASSET_FIELD_NAMES);

const answerSchema = z.object({
  mappings: z.array(
    z.object({
      source: z.string(),
      target: z.string().nullable(),
      confidence: z.number().min(0).max(1),
      reason: z.string(),
    }),
  ),
});
type RefinedMapping = z.infer<typeof answerSchema>["mappings"][number];

const SYSTEM = [
  "You map the columns of an IT asset inventory export onto a canonical asset schema.",
  "You are asked only about the columns the rules were unsure of. Each comes with its header as the rules read it",
  "(words, unit, aggregation, negation, words they did not know), a profile of its values (the share of each value kind,",
  "the share of distinct values, a numeric range, a few masked shapes; never the values themselves) and the rules'",
  "candidate targets with their confidence. Prefer one of the candidates when one fits.",
  'Answer with JSON: {"mappings": [{"source", "target", "confidence", "reason"}]}, one entry per column asked.',
  "target must be one of the names in `targets`, or null when no canonical field fits (the column is kept as a custom attribute).",
  "Never invent a target name. Give a short reason (one sentence). confidence is between 0 and 1.",
].join(" ");

/** A column the rules were unsure of, with what the provider is told about it. */
interface UnsureColumn {
  suggestion: MappingSuggestion;
  column: ColumnProfile;
  reading: HeaderReading;
  /** The rules' candidate targets, their pick first. */
  candidates: Array<{ target: string; confidence: number }>;
}

/**
 * Asks the provider for a second opinion on the columns the rules were unsure of and applies
 * its answer. Unsure: a mapping below the refinement threshold, or a custom attribute whose
 * header held words the lexicon does not know or that had candidates; never a tenant's learned
 * mapping, a preset's column or a sibling. Each goes with its header as read, its value profile
 * and the rules' candidates. A confirmed target gains confidence; another candidate replaces the
 * rules' pick, which moves to the alternatives; a target outside the candidates (when there were
 * some) stays below the threshold, for a person to decide. A target a confident column holds is
 * ignored (unless it aggregates): a confident mapping is never sent and never changed.
 */
export async function refineMappings(
  refiner: LlmRefiner,
  call: RefinementCall,
  columns: readonly ColumnProfile[],
  result: MappingResult,
): Promise<{ result: MappingResult; notices: string[] }> {
  if (!refiner.modelFor("field_mapping")) return { result, notices: [] };
  const threshold = refiner.refineBelowConfidence;
  const unsure: UnsureColumn[] = [];
  result.suggestions.forEach((suggestion, index) => {
    const column = columns[index] as ColumnProfile;
    const reading = readHeader(column.source);
    if (!isUnsure(suggestion, reading, threshold)) return;
    const candidates = [
      ...(suggestion.target ? [{ target: suggestion.target, confidence: suggestion.confidence }] : []),
      ...suggestion.alternatives,
    ];
    unsure.push({ suggestion, column, reading, candidates });
  });
  if (unsure.length === 0) return { result, notices: [] };

  const confident = Object.fromEntries(
    result.suggestions
      .filter((s) => s.target && !unsure.some((u) => u.suggestion === s))
      .map((s) => [s.source, s.target]),
  );
  const targets = ASSET_FIELDS.map((field) => ({
    name: field.name,
    type: field.type,
    description: field.description,
    ...(field.enumValues ? { values: field.enumValues } : {}),
  }));
  const { answers, notices } = await refineInChunks(refiner, call, unsure, COLUMNS_PER_PROMPT, (chunk) => {
    const asked = new Set(chunk.map((item) => item.suggestion.source));
    return zodTask({
      agent: "field_mapping",
      schemaName: "field_mappings",
      system: SYSTEM,
      input: {
        file_format: result.format,
        all_headers: columns.map((c) => c.source),
        already_mapped: confident,
        columns: chunk.map(({ suggestion, column, reading, candidates }) => ({
          source: suggestion.source,
          header: headerFacts(reading),
          value_profile: valueProfileFacts(column.samples),
          candidates,
          heuristic_guess: { target: suggestion.target, confidence: suggestion.confidence },
        })),
        targets,
      },
      schema: answerSchema,
      check: (answer) => {
        for (const item of answer.mappings) {
          if (!asked.has(item.source)) {
            return { ok: false, outcome: "unknown_target", detail: "the answer names a column that was not asked" };
          }
          if (item.target !== null && !TARGETS.has(item.target)) {
            return { ok: false, outcome: "unknown_target", detail: `unknown target field "${clip(item.target, 64)}"` };
          }
        }
        return { ok: true, value: answer.mappings };
      },
    });
  });
  if (answers.length === 0) return { result, notices };

  const suggestions = result.suggestions.map((s) => ({ ...s, alternatives: [...s.alternatives] }));
  const bySource = new Map(suggestions.map((s) => [s.source, s]));
  const candidatesOf = new Map(unsure.map((u) => [u.suggestion.source, new Set(u.candidates.map((c) => c.target))]));
  const taken = new Set(suggestions.map((s) => s.target).filter(Boolean));
  for (const { items, model } of answers) {
    for (const item of items) {
      const suggestion = bySource.get(item.source);
      if (suggestion) apply(suggestion, item, model, taken, candidatesOf.get(item.source) ?? new Set(), threshold);
    }
  }
  return { result: { format: result.format, suggestions }, notices };
}

/** What the rules were unsure of: see refineMappings. */
function isUnsure(suggestion: MappingSuggestion, reading: HeaderReading, threshold: number): boolean {
  if (suggestion.learned) return false;
  if (suggestion.target) return suggestion.confidence < threshold;
  // A custom attribute by decision (a preset's column, a sibling) carries the decision's confidence.
  if (suggestion.sibling || suggestion.confidence > 0) return false;
  return reading.concepts.size === 0 || reading.unknown.length > 0 || suggestion.alternatives.length > 0;
}

/** The header as the rules read it: the words behind each concept, unit, aggregation, negation. */
function headerFacts(reading: HeaderReading) {
  return {
    words: Object.fromEntries(reading.concepts),
    unknown_words: reading.unknown.slice(0, 8).map((w) => clip(w, 32)),
    ...(reading.unit ? { unit: reading.unit } : {}),
    ...(reading.aggregation ? { aggregation: reading.aggregation } : {}),
    ...(reading.negation ? { negation: reading.negation } : {}),
  };
}

/**
 * The value profile, without the values: shares of the value kinds (10 % or more), the share
 * of distinct values, the numeric range of a numeric column, the unit the cells carry, and a
 * few masked shapes.
 */
function valueProfileFacts(samples: readonly string[]) {
  const profile = profileValues(samples);
  const kinds = Object.fromEntries(
    Object.entries(profile.share)
      .filter(([, share]) => (share ?? 0) >= 0.1)
      .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
      .map(([kind, share]) => [kind, Math.round((share ?? 0) * 100) / 100]),
  );
  const numeric = profile.numbers && (profile.share.number ?? 0) >= 0.7;
  return {
    values_seen: profile.count,
    distinct_share: Math.round(profile.distinct * 100) / 100,
    kinds,
    ...(numeric && profile.numbers
      ? { numbers: { min: profile.numbers.min, max: profile.numbers.max, median: profile.numbers.median } }
      : {}),
    ...(profile.cellUnit ? { unit_in_cells: profile.cellUnit } : {}),
    ...(profile.sequence ? { row_numbers: true } : {}),
    shapes: valueShapes(samples),
  };
}

function apply(
  suggestion: MappingSuggestion,
  item: RefinedMapping,
  model: string,
  taken: Set<string | null>,
  candidates: ReadonlySet<string>,
  threshold: number,
): void {
  // Outside every candidate the rules had: the model's word alone, which a person confirms.
  const outside = item.target !== null && candidates.size > 0 && !candidates.has(item.target);
  const cap = outside ? Math.min(MAX_LLM_CONFIDENCE, threshold - 0.01) : MAX_LLM_CONFIDENCE;
  const confidence = Math.round(Math.min(item.confidence, cap) * 100) / 100;
  const reason = clip(item.reason, 200);
  if (item.target === suggestion.target) {
    suggestion.confidence = Math.max(suggestion.confidence, confidence);
    suggestion.reason = `${suggestion.reason}; confirmed by LLM (${model}): ${reason}`;
    return;
  }
  if (item.target && taken.has(item.target) && !MULTI_SOURCE.has(item.target)) return;
  const previous = suggestion.target;
  if (previous) taken.delete(previous);
  if (item.target) taken.add(item.target);
  suggestion.alternatives = [
    ...(previous ? [{ target: previous, confidence: suggestion.confidence }] : []),
    ...suggestion.alternatives.filter((a) => a.target !== item.target && a.target !== previous),
  ].slice(0, 3);
  suggestion.target = item.target;
  suggestion.confidence = confidence;
  suggestion.reason = item.target
    ? `LLM (${model})${outside ? ", outside the rules' candidates, for review" : ""}: ${reason}`
    : `LLM (${model}): no canonical field fits; kept as a custom attribute: ${reason}`;
}
