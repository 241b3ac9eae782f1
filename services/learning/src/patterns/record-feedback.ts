import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { confidenceSql } from "./pattern-confidence.ts";
import { patternNotFound } from "./pattern-id.ts";
import { type PatternRow, patternColumnsSql, withUsage } from "./pattern-row.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

export const FEEDBACK_OUTCOMES = ["approved", "rejected"] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

/** Counts one approval or rejection and recomputes the confidence in the same statement. */
export async function recordFeedback(
  db: Kysely<LearningDatabase>,
  scope: TenantScope,
  id: string,
  outcome: FeedbackOutcome,
): Promise<PatternRow> {
  const approvals = outcome === "approved" ? sql`p.approvals + 1` : sql`p.approvals`;
  const rejections = outcome === "rejected" ? sql`p.rejections + 1` : sql`p.rejections`;
  const { rows } = await withUsage<PatternRow>(sql`
    update learned_patterns as p set
      approvals = ${approvals},
      rejections = ${rejections},
      confidence = ${confidenceSql(sql`p.evidence_count`, approvals, rejections)},
      updated_at = now()
    where p.id = ${id} and ${scopeSql(scope, "p")}
    returning ${patternColumnsSql("p")}`).execute(db);
  const row = rows[0];
  if (!row) throw patternNotFound(id);
  return row;
}
