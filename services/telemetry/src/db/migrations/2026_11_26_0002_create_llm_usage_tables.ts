import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
// Money is numeric, never float: a sum of ten thousand calls must still be exact to the cent.
export const createLlmUsageTables: Migration = {
  async up(db: Kysely<unknown>) {
    // btree_gist lets one exclusion constraint say "same provider and model, overlapping dates".
    // Installed once per database in `public` (like pgvector), serialised across services.
    await sql`select pg_advisory_xact_lock(hashtext('migrate-mesh:extension:btree_gist'))`.execute(db);
    await sql`create extension if not exists btree_gist with schema public`.execute(db);

    await db.schema
      .createTable("model_pricing")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("input_usd_per_million", sql`numeric(14, 6)`, (c) =>
        c.notNull().check(sql`input_usd_per_million >= 0`),
      )
      .addColumn("output_usd_per_million", sql`numeric(14, 6)`, (c) =>
        c.notNull().check(sql`output_usd_per_million >= 0`),
      )
      .addColumn("currency", "text", (c) => c.notNull().defaultTo("USD").check(sql`currency ~ '^[A-Z]{3}$'`))
      .addColumn("effective_from", "timestamptz", (c) => c.notNull())
      .addColumn("effective_to", "timestamptz")
      .addColumn("source", "text")
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint("model_pricing_dates_check", sql`effective_to is null or effective_to > effective_from`)
      .addUniqueConstraint("model_pricing_start_key", ["provider", "model", "effective_from"])
      .execute();
    await sql`alter table model_pricing add constraint model_pricing_no_overlap
      exclude using gist (provider with =, model with =, tstzrange(effective_from, effective_to, '[)') with &&)`.execute(
      db,
    );

    await db.schema
      .createTable("llm_usage_records")
      .addColumn("event_id", "uuid", (c) => c.primaryKey())
      .addColumn("client_account_id", "text", (c) => c.notNull())
      .addColumn("engagement_id", "text")
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("agent", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("input_tokens", "integer", (c) => c.notNull().check(sql`input_tokens >= 0`))
      .addColumn("output_tokens", "integer", (c) => c.notNull().check(sql`output_tokens >= 0`))
      .addColumn("latency_ms", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("trace_id", "text")
      .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
      .addColumn("received_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      // The price row used when the call was recorded; null: no price was known (cost 0).
      .addColumn("pricing_id", "bigint", (c) => c.references("model_pricing.id").onDelete("set null"))
      .addColumn("cost_usd", sql`numeric(24, 12)`, (c) => c.notNull().defaultTo(0))
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("stream_sequence", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("llm_usage_records_tenant_time_idx")
      .on("llm_usage_records")
      .columns(["client_account_id", "occurred_at"])
      .execute();

    await db.schema
      .createTable("budgets")
      .addColumn("client_account_id", "text", (c) => c.primaryKey())
      .addColumn("monthly_usd", sql`numeric(14, 2)`, (c) => c.notNull().check(sql`monthly_usd >= 0`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("budgets").execute();
    await db.schema.dropTable("llm_usage_records").execute();
    await db.schema.dropTable("model_pricing").execute();
  },
};
