import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
export const createOutbox: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table outbox (
        id bigserial primary key,
        event_id uuid not null unique,
        subject text not null,
        payload jsonb not null,
        trace_carrier jsonb not null default '{}',
        created_at timestamptz not null default now(),
        published_at timestamptz
      )`.execute(db);
    // The relay only ever scans what is still to send; published rows cost it nothing.
    await sql`create index outbox_unpublished_idx on outbox (id) where published_at is null`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table outbox`.execute(db);
  },
};
