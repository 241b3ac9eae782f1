import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
export const createRawRecords: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table raw_records (
        flow_id uuid not null references flows (id) on delete cascade,
        row_number integer not null,
        data jsonb not null,
        primary key (flow_id, row_number)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table raw_records`.execute(db);
  },
};
