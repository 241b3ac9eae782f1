import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
// Adds what learning from corrections needs: a normalised source key with a merge key (a repeated
// correction increments evidence instead of adding a row), feedback counts behind the confidence,
// and the embedder that produced each row's vector (a provider change re-embeds the stale rows).
// Usage counters move to a narrow side table: updating them on the pattern row is never a HOT
// update (rows carry a 1 KiB vector, pages have no room), so every count would re-insert the row
// into the HNSW index, measured at several milliseconds of CPU per row at 100,000 patterns.
export const addPatternLearningColumns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("learned_patterns")
      .addColumn("source_key", "text")
      .addColumn("approvals", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("rejections", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("embedding_model", "text")
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    // Rows written before this migration: the same normalisation as `normalizeHeader` (NFKD,
    // lower case, letters and digits only), the trimmed lower-cased text when nothing is left.
    await sql`
      update learned_patterns set source_key = coalesce(
        nullif(regexp_replace(lower(normalize(source_text, NFKD)), '[^a-z0-9]', '', 'g'), ''),
        lower(btrim(source_text)))`.execute(db);
    // Exact duplicates collapse into the oldest row, their evidence summed, before the key is unique.
    await sql`
      with ranked as (
        select id, first_value(id) over w as keeper, sum(evidence_count) over w as evidence
        from learned_patterns
        window w as (partition by client_account_id, engagement_id, pattern_type, source_key, target
                     order by created_at, id rows between unbounded preceding and unbounded following)
      ), kept as (
        update learned_patterns p set evidence_count = r.evidence from ranked r where p.id = r.id and r.id = r.keeper
      )
      delete from learned_patterns p using ranked r where p.id = r.id and r.id <> r.keeper`.execute(db);
    await sql`alter table learned_patterns alter column source_key set not null`.execute(db);
    await sql`
      alter table learned_patterns add constraint learned_patterns_merge_key
        unique nulls not distinct (client_account_id, engagement_id, pattern_type, source_key, target)`.execute(db);
    await sql`
      alter table learned_patterns add constraint learned_patterns_source_length
        check (char_length(source_text) between 1 and 1000)`.execute(db);
    // Exact-match lookups of a header; its prefix serves the type-filtered listing the old index served.
    await db.schema.dropIndex("learned_patterns_tenant_type_idx").execute();
    await db.schema
      .createIndex("learned_patterns_tenant_type_key_idx")
      .on("learned_patterns")
      .columns(["client_account_id", "pattern_type", "source_key"])
      .execute();
    await sql`
      create table learned_pattern_usage (
        pattern_id uuid primary key,
        times_used integer not null default 0,
        last_used_at timestamptz
      ) with (fillfactor = 70)`.execute(db);
    await sql`
      insert into learned_pattern_usage (pattern_id, times_used, last_used_at)
      select id, times_used, last_used_at from learned_patterns where times_used > 0 or last_used_at is not null`.execute(
      db,
    );
    await db.schema.alterTable("learned_patterns").dropColumn("times_used").dropColumn("last_used_at").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .alterTable("learned_patterns")
      .addColumn("times_used", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_used_at", "timestamptz")
      .execute();
    await sql`
      update learned_patterns p set times_used = u.times_used, last_used_at = u.last_used_at
      from learned_pattern_usage u where u.pattern_id = p.id`.execute(db);
    await db.schema.dropTable("learned_pattern_usage").execute();
    await db.schema.dropIndex("learned_patterns_tenant_type_key_idx").execute();
    await db.schema
      .createIndex("learned_patterns_tenant_type_idx")
      .on("learned_patterns")
      .columns(["client_account_id", "pattern_type"])
      .execute();
    await sql`alter table learned_patterns drop constraint learned_patterns_source_length`.execute(db);
    await sql`alter table learned_patterns drop constraint learned_patterns_merge_key`.execute(db);
    await db.schema
      .alterTable("learned_patterns")
      .dropColumn("source_key")
      .dropColumn("approvals")
      .dropColumn("rejections")
      .dropColumn("embedding_model")
      .dropColumn("updated_at")
      .execute();
  },
};
