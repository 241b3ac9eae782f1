import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { type PatternRow, patternColumnsSql } from "./pattern-row.ts";
import type { PatternType } from "./pattern-types.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

/**
 * One tenant's patterns, most trusted first. With an engagement, patterns of other engagements
 * of the same tenant are left out; tenant-wide ones (no engagement) always apply.
 */
export async function listPatterns(
  db: Kysely<LearningDatabase>,
  scope: TenantScope,
  filter: { patternType?: PatternType; limit: number },
): Promise<PatternRow[]> {
  const type = filter.patternType ? sql`and p.pattern_type = ${filter.patternType}` : sql``;
  const { rows } = await sql<PatternRow>`
    select ${patternColumnsSql("p")}, coalesce(u.times_used, 0) as times_used, u.last_used_at
    from learned_patterns p left join learned_pattern_usage u on u.pattern_id = p.id
    where ${scopeSql(scope, "p")} ${type}
    order by p.confidence desc, p.evidence_count desc, p.created_at desc, p.id
    limit ${filter.limit}`.execute(db);
  return rows;
}
