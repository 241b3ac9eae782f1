import type { MessageInitShape } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import type { PatternSchema } from "@migrate/gen/learning/v1/learning_pb";
import type { RawBuilder } from "kysely";
import type { StoredPatternContext } from "../db/learning-database.ts";
import type { PatternType } from "./pattern-types.ts";

/** A pattern as queries return it (everything but the vector). */
export interface PatternRow {
  id: string;
  engagement_id: string | null;
  pattern_type: PatternType;
  source_text: string;
  source_key: string;
  context: StoredPatternContext;
  target: string;
  confidence: number;
  evidence_count: number;
  approvals: number;
  rejections: number;
  times_used: number;
  last_used_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  embedding_model: string | null;
}

export const PATTERN_COLUMNS = [
  "id",
  "engagement_id",
  "pattern_type",
  "source_text",
  "source_key",
  "context",
  "target",
  "confidence",
  "evidence_count",
  "approvals",
  "rejections",
  "created_by",
  "created_at",
  "updated_at",
  "embedding_model",
] as const;

/** The pattern table's columns for raw SQL over `alias` (usage counters live apart: see `withUsage`). */
export function patternColumnsSql(alias: string) {
  return sql.join(PATTERN_COLUMNS.map((column) => sql.ref(`${alias}.${column}`)));
}

/**
 * `statement` (a select, or a write with `returning`, yielding pattern columns) with each row's
 * usage counters joined on. A join after the fact: scalar subqueries per row in `returning`
 * measured twice as slow for single-row writes.
 */
export function withUsage<T>(statement: RawBuilder<unknown>) {
  return sql<T & { times_used: number; last_used_at: Date | null }>`
    with s as (${statement})
    select s.*, coalesce(u.times_used, 0) as times_used, u.last_used_at
    from s left join learned_pattern_usage u on u.pattern_id = s.id`;
}

/** A row as the `Pattern` message. */
export function patternMessage(row: PatternRow): MessageInitShape<typeof PatternSchema> {
  return {
    id: row.id,
    patternType: row.pattern_type,
    sourceText: row.source_text,
    target: row.target,
    confidence: row.confidence,
    evidenceCount: row.evidence_count,
    createdAt: row.created_at.toISOString(),
    engagementId: row.engagement_id ?? "",
    sourceKey: row.source_key,
    context: {
      format: row.context.format ?? "",
      neighbourHeaders: row.context.neighbours ?? [],
      valueShape: row.context.value_shape ?? "",
    },
    approvals: row.approvals,
    rejections: row.rejections,
    timesUsed: row.times_used,
    lastUsedAt: row.last_used_at?.toISOString() ?? "",
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    embeddingModel: row.embedding_model ?? "",
  };
}
