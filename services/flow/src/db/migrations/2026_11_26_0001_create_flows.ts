import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
export const createFlows: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table flows (
        id uuid primary key default gen_random_uuid(),
        client_account_id text not null,
        engagement_id text,
        name text not null,
        status text not null default 'pending'
          check (status in ('pending','running','awaiting_input','paused','completed','failed','cancelled')),
        phase text not null default 'data_import',
        progress integer not null default 0 check (progress between 0 and 100),
        raw_record_count bigint not null default 0,
        source_format text not null,
        source_filename text not null default '',
        columns jsonb not null default '[]',
        created_by text not null default '',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
    // Keyset pagination of a tenant's flows, newest first.
    await sql`create index flows_tenant_created_idx on flows (client_account_id, created_at desc, id desc)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table flows`.execute(db);
  },
};
