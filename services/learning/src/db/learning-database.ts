import type { ColumnType, Generated, JSONColumnType } from "kysely";
import type { PatternType } from "../patterns/pattern-types.ts";

/** Where a pattern was learned, stored beside it (and, lightly, in its embedding). */
export interface StoredPatternContext {
  /** The import's format, e.g. `rvtools_vinfo`. */
  format?: string;
  /** Up to 50 other headers of the import. */
  neighbours?: string[];
  /** The dominant shape of the column's sample values (`integer`, `ip`, `text`...). */
  value_shape?: string;
}

/** A pattern a tenant taught: a source (header, value, name) in context, mapped to a target. */
export interface LearnedPatternsTable {
  id: Generated<string>;
  client_account_id: string;
  /** null: applies to every engagement of the client account. */
  engagement_id: string | null;
  pattern_type: PatternType;
  source_text: string;
  /** `normalizeHeader(source_text)`: exact matches and the merge key use it. */
  source_key: string;
  context: JSONColumnType<StoredPatternContext>;
  target: string;
  /** Derived from evidence_count, approvals and rejections (see `patternConfidence`). */
  confidence: number;
  /** Times a person taught exactly this pattern (corrections merged into it). */
  evidence_count: Generated<number>;
  approvals: Generated<number>;
  rejections: Generated<number>;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** pgvector text form on the wire (`[0.1,0.2,...]`). */
  embedding: string | null;
  /** The embedder (name and version) that produced `embedding`. */
  embedding_model: string | null;
}

/**
 * How often a pattern backed a recommendation. Apart from the pattern row so that counting never
 * rewrites a row that carries a vector (that would re-insert it into the HNSW index).
 */
export interface LearnedPatternUsageTable {
  pattern_id: string;
  times_used: number;
  last_used_at: Date | null;
}

/** The tables of schema `learning`, as kysely sees them. */
export interface LearningDatabase {
  learned_patterns: LearnedPatternsTable;
  learned_pattern_usage: LearnedPatternUsageTable;
}
