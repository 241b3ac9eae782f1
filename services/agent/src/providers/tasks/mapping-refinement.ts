import { ASSET_FIELD_NAMES, ASSET_FIELDS } from "@migrate/domain";
import { z } from "zod";
import {
  type ColumnProfile,
  type MappingResult,
  type MappingSuggestion,
  MULTI_SOURCE,
} from "../../agents/field-mapping.ts";
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
  "Each column comes with its header and the shapes of a few of its values (never the values themselves).",
  'Answer with JSON: {"mappings": [{"source", "target", "confidence", "reason"}]}, one entry per column asked.',
  "target must be one of the names in `targets`, or null when no canonical field fits (the column is kept as a custom attribute).",
  "Never invent a target name. Give a short reason (one sentence). confidence is between 0 and 1.",
].join(" ");

/**
 * Asks the provider about the columns the rules were unsure of (unmapped, or below the
 * refinement threshold; never a tenant's learned mapping) and applies its answer: a confirmed
 * target gains confidence, a different one replaces the heuristic's, which moves to the
 * alternatives. A target another column already holds is ignored (unless it aggregates).
 */
export async function refineMappings(
  refiner: LlmRefiner,
  call: RefinementCall,
  columns: readonly ColumnProfile[],
  result: MappingResult,
): Promise<{ result: MappingResult; notices: string[] }> {
  if (!refiner.modelFor("field_mapping")) return { result, notices: [] };
  const unsure = result.suggestions
    .map((suggestion, index) => ({ suggestion, column: columns[index] as ColumnProfile }))
    .filter(
      ({ suggestion }) =>
        !suggestion.learned && (suggestion.target === null || suggestion.confidence < refiner.refineBelowConfidence),
    );
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
        columns: chunk.map(({ suggestion, column }) => ({
          source: suggestion.source,
          value_shapes: valueShapes(column.samples),
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
  const taken = new Set(suggestions.map((s) => s.target).filter(Boolean));
  for (const { items, model } of answers) {
    for (const item of items) {
      const suggestion = bySource.get(item.source);
      if (suggestion) apply(suggestion, item, model, taken);
    }
  }
  return { result: { format: result.format, suggestions }, notices };
}

function apply(suggestion: MappingSuggestion, item: RefinedMapping, model: string, taken: Set<string | null>): void {
  const confidence = Math.round(Math.min(item.confidence, MAX_LLM_CONFIDENCE) * 100) / 100;
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
    ? `LLM (${model}): ${reason}`
    : `LLM (${model}): no canonical field fits; kept as a custom attribute: ${reason}`;
}
