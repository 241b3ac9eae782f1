import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
export const createAgentRuns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("agent_runs")
      .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn("client_account_id", "text", (c) => c.notNull())
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("agent", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed')`))
      .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("finished_at", "timestamptz")
      .addColumn("input_count", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("output_count", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex("agent_runs_tenant_flow_idx")
      .on("agent_runs")
      .columns(["client_account_id", "flow_id", "started_at"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("agent_runs").execute();
  },
};
