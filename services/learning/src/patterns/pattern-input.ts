import { ASSET_FIELD_NAMES, ASSET_TYPES, MIGRATION_STRATEGIES } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import { isPatternType, PATTERN_TYPES, type PatternType } from "./pattern-types.ts";

/** Longest source text (header, value, name) a pattern may hold; longer is refused, never embedded. */
export const MAX_SOURCE_LENGTH = 1_000;
export const MAX_SAMPLE_VALUES = 20;
export const MAX_NEIGHBOURS = 50;

/** The targets a pattern type allows; value_normalization takes any text. */
const VALID_TARGETS: Record<PatternType, readonly string[] | undefined> = {
  field_mapping: ASSET_FIELD_NAMES,
  asset_classification: ASSET_TYPES,
  strategy_override: MIGRATION_STRATEGIES,
  value_normalization: undefined,
};

// Echoing a 10,000-character value back in an error helps nobody.
const preview = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}...` : text);

/** The pattern type asked for; empty means field_mapping, anything unknown is refused naming the valid ones. */
export function readPatternType(value: string, field = "pattern_type"): PatternType {
  const type = value.trim() || "field_mapping";
  if (!isPatternType(type)) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `unknown pattern_type ${JSON.stringify(preview(type))}; valid: ${PATTERN_TYPES.join(", ")}`,
      {
        field,
        value: preview(type),
        valid: [...PATTERN_TYPES],
      },
    );
  }
  return type;
}

/** A source text trimmed and within 1..1000 characters. */
export function readSourceText(value: string, field: string): string {
  const text = value.trim();
  if (!text) throw new MeshError("INVALID_ARGUMENT", `${field} is empty`, { field });
  if (text.length > MAX_SOURCE_LENGTH) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `${field} is ${text.length} characters long; at most ${MAX_SOURCE_LENGTH} are accepted`,
      { field, value: preview(text), length: text.length, max_length: MAX_SOURCE_LENGTH },
    );
  }
  return text;
}

/** A target valid for the pattern type: a canonical field, asset type or strategy (listed when refused). */
export function readTarget(type: PatternType, value: string, field: string): string {
  const target = value.trim();
  const valid = VALID_TARGETS[type];
  if (valid) {
    if (!valid.includes(target)) {
      const what = target ? `${JSON.stringify(preview(target))} is not` : "an empty target is not";
      throw new MeshError("INVALID_ARGUMENT", `${field}: ${what} a valid ${type} target; valid: ${valid.join(", ")}`, {
        field,
        value: preview(target),
        valid: [...valid],
      });
    }
    return target;
  }
  return readSourceText(target, field);
}

/** An optional target (a suggestion that may be absent): empty stays empty, anything else must be valid. */
export function readOptionalTarget(type: PatternType, value: string, field: string): string {
  return value.trim() ? readTarget(type, value, field) : "";
}

/** Sample values capped in number and length: only their shape is used. */
export function readSamples(values: readonly string[]): string[] {
  return values.slice(0, MAX_SAMPLE_VALUES).map((value) => value.slice(0, 200));
}

/** Neighbouring headers capped in number and length, kept only as context. */
export function readNeighbours(headers: readonly string[], self: string): string[] {
  return headers
    .map((header) => header.trim().slice(0, 200))
    .filter((header) => header && header !== self)
    .slice(0, MAX_NEIGHBOURS);
}

/** A bounded integer option where 0 means the default. */
export function readLimit(value: number, field: string, defaults: { fallback: number; max: number }): number {
  if (!Number.isInteger(value) || value < 0 || value > defaults.max) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `${field} must be between 1 and ${defaults.max} (0 means ${defaults.fallback})`,
      {
        field,
        value: String(value),
      },
    );
  }
  return value || defaults.fallback;
}
