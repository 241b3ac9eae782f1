import type { ColumnType, Generated, JSONColumnType } from "kysely";
import type { PatternType } from "../patterns/pattern-types.ts";

/** A pattern a tenant taught: a source (header, value, name) in context, mapped to a target. */
export interface LearnedPatternsTable {
  id: Generated<string>;
  client_account_id: string;
  engagement_id: string | null;
  pattern_type: PatternType;
  source_text: string;
  context: JSONColumnType<Record<string, unknown>>;
  target: string;
  confidence: number;
  evidence_count: Generated<number>;
  times_used: Generated<number>;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  /** pgvector text form on the wire (`[0.1,0.2,...]`); `pgvector` converts arrays. */
  embedding: string | null;
}

/** The tables of schema `learning`, as kysely sees them. */
export interface LearningDatabase {
  learned_patterns: LearnedPatternsTable;
}
