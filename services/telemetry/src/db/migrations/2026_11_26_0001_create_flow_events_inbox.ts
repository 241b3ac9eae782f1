import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
// The primary key on event_id is what makes recording idempotent: a redelivered event is a no-op.
export const createFlowEventsInbox: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("flow_events_inbox")
      .addColumn("event_id", "uuid", (c) => c.primaryKey())
      .addColumn("client_account_id", "text", (c) => c.notNull())
      .addColumn("engagement_id", "text")
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("phase", "text")
      .addColumn("progress", "integer")
      .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
      .addColumn("received_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("stream_sequence", "bigint", (c) => c.notNull())
      .addColumn("payload", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .execute();
    await db.schema
      .createIndex("flow_events_inbox_timeline_idx")
      .on("flow_events_inbox")
      .columns(["client_account_id", "flow_id", "occurred_at"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("flow_events_inbox").execute();
  },
};
