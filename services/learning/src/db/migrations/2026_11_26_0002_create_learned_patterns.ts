import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
export const createLearnedPatterns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("learned_patterns")
      .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn("client_account_id", "text", (c) => c.notNull())
      .addColumn("engagement_id", "text")
      .addColumn("pattern_type", "text", (c) =>
        c
          .notNull()
          .check(
            sql`pattern_type in ('field_mapping', 'value_normalization', 'asset_classification', 'strategy_override')`,
          ),
      )
      .addColumn("source_text", "text", (c) => c.notNull())
      .addColumn("context", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("confidence", "double precision", (c) => c.notNull().check(sql`confidence >= 0 and confidence <= 1`))
      .addColumn("evidence_count", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("times_used", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_used_at", "timestamptz")
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      // Qualified: the type lives in `public` whatever the connection's search_path.
      .addColumn("embedding", sql`public.vector(256)`)
      .execute();
    // The extension's operator class resolves through search_path (service schema, then public).
    await sql`create index learned_patterns_embedding_hnsw on learned_patterns using hnsw (embedding vector_cosine_ops)`.execute(
      db,
    );
    await db.schema
      .createIndex("learned_patterns_tenant_type_idx")
      .on("learned_patterns")
      .columns(["client_account_id", "pattern_type"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("learned_patterns").execute();
  },
};
