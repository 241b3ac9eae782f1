import type { Migration } from "@migrate/db";
import { createVectorExtension } from "./2026_11_26_0001_create_vector_extension.ts";
import { createLearnedPatterns } from "./2026_11_26_0002_create_learned_patterns.ts";
import { addPatternLearningColumns } from "./2026_11_26_0003_add_pattern_learning_columns.ts";

/** Every migration of schema `learning`, keyed by its frozen, date-prefixed name (applied in key order). */
export const learningMigrations: Record<string, Migration> = {
  "2026_11_26_0001_create_vector_extension": createVectorExtension,
  "2026_11_26_0002_create_learned_patterns": createLearnedPatterns,
  "2026_11_26_0003_add_pattern_learning_columns": addPatternLearningColumns,
};
