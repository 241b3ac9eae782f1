import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// The W3C context of the request that last made the flow runnable (create, resume, retry,
// approve), so the engine's work on it, claimed later by any replica, joins that request's trace.
export const addFlowTraceCarrier: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table flows add column trace_carrier jsonb not null default '{}'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table flows drop column trace_carrier`.execute(db);
  },
};
