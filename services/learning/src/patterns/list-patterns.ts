import type { Kysely } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import type { PatternType } from "./pattern-types.ts";

export interface PatternRow {
  id: string;
  pattern_type: PatternType;
  source_text: string;
  target: string;
  confidence: number;
  evidence_count: number;
  created_at: Date;
}

/**
 * One tenant's patterns, most trusted first. With an engagement, patterns of other engagements
 * of the same tenant are left out; tenant-wide ones (no engagement) always apply.
 */
export async function listPatterns(
  db: Kysely<LearningDatabase>,
  scope: { clientAccountId: string; engagementId: string },
  filter: { patternType?: PatternType; limit: number },
): Promise<PatternRow[]> {
  let query = db
    .selectFrom("learned_patterns")
    .select(["id", "pattern_type", "source_text", "target", "confidence", "evidence_count", "created_at"])
    .where("client_account_id", "=", scope.clientAccountId);
  if (scope.engagementId) {
    query = query.where((eb) => eb.or([eb("engagement_id", "is", null), eb("engagement_id", "=", scope.engagementId)]));
  }
  if (filter.patternType) query = query.where("pattern_type", "=", filter.patternType);
  return query
    .orderBy("confidence", "desc")
    .orderBy("evidence_count", "desc")
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(filter.limit)
    .execute();
}
