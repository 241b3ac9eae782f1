import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { patternNotFound } from "./pattern-id.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

/** Deletes one of the caller's patterns and its usage counters; anything else (unknown, another tenant's) is NOT_FOUND. */
export async function deletePattern(db: Kysely<LearningDatabase>, scope: TenantScope, id: string): Promise<void> {
  const { rows } = await sql<{ id: string }>`
    with deleted as (delete from learned_patterns p where p.id = ${id} and ${scopeSql(scope, "p")} returning p.id)
    , usage as (delete from learned_pattern_usage u using deleted d where u.pattern_id = d.id)
    select id from deleted`.execute(db);
  if (rows.length === 0) throw patternNotFound(id);
}
