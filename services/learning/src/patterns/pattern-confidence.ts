import { sql } from "@migrate/db";
import type { RawBuilder } from "kysely";

// A person's correction is trusted but not blindly: a Beta prior worth 4 approvals and 1
// rejection, and a rejection weighs twice an approval (a wrong automatic mapping costs more
// than one more question). docs/learning.md explains the choice.
export const PRIOR_APPROVALS = 4;
export const PRIOR_REJECTIONS = 1;
export const REJECTION_WEIGHT = 2;

/**
 * A pattern's confidence, strictly between 0 and 1:
 * `(positive + 4) / (positive + 2·rejections + 5)` with `positive = evidence_count + approvals`.
 * One correction gives 0.833, two 0.857, ten 0.933; one correction then one rejection 0.625.
 */
export function patternConfidence(counts: { evidenceCount: number; approvals: number; rejections: number }): number {
  const positive = counts.evidenceCount + counts.approvals;
  return (
    (positive + PRIOR_APPROVALS) /
    (positive + REJECTION_WEIGHT * counts.rejections + PRIOR_APPROVALS + PRIOR_REJECTIONS)
  );
}

/** The same formula over a row's columns (or their new values), for updates done in SQL. */
export function confidenceSql(
  evidence: RawBuilder<unknown>,
  approvals: RawBuilder<unknown>,
  rejections: RawBuilder<unknown>,
): RawBuilder<number> {
  const positive = sql`((${evidence}) + (${approvals}))`;
  return sql<number>`((${positive} + ${sql.lit(PRIOR_APPROVALS)})::float8 / (${positive} + ${sql.lit(REJECTION_WEIGHT)} * (${rejections}) + ${sql.lit(PRIOR_APPROVALS + PRIOR_REJECTIONS)}))`;
}
