import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// Every asset row is written once whole, then updated once more (its application key) when
// application discovery has run. Pages left half-empty let that update stay on the row's page
// (a HOT update: no new primary-key entry, no row moved), where full pages moved every row.
// The table ends the same size either way: the old versions took the room before.
export const assetsRoomForUpdates: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table assets set (fillfactor = 50)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table assets reset (fillfactor)`.execute(db);
  },
};
