import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// Two per-row copies go, each written by an update that rewrote every row, document and all:
// validation's score on each raw record (the phase keeps the scores' sum and count in its
// checkpoint, all the report reads before the inventory exists; cleansing scores each asset),
// and each asset's wave (read from its application instead).
export const dropPerRowCopies: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table raw_records drop column quality`.execute(db);
    await sql`alter table assets drop column wave`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table raw_records add column quality double precision`.execute(db);
    await sql`alter table assets add column wave integer`.execute(db);
  },
};
