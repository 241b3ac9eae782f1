/** What a tenant can teach (DESIGN.md section 3, Learning); the table's check constraint holds the same list. */
export const PATTERN_TYPES = [
  "field_mapping",
  "value_normalization",
  "asset_classification",
  "strategy_override",
] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];

export function isPatternType(value: string): value is PatternType {
  return (PATTERN_TYPES as readonly string[]).includes(value);
}

/** Dimensions of a pattern's embedding; the column is `vector(256)`. */
export const EMBEDDING_DIMENSIONS = 256;
