import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; add a new migration instead.
// The extension is installed once per database, in `public`, whichever service schema asks first.
// Several learning replicas (or test schemas) may migrate at once: a transaction-scoped lock on a
// database-wide key serialises them so no two run `create extension` concurrently.
export const createVectorExtension: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`select pg_advisory_xact_lock(hashtext('migrate-mesh:extension:vector'))`.execute(db);
    await sql`create extension if not exists vector with schema public`.execute(db);
  },
  // Other schemas may use the extension: it is never dropped by one service.
  async down() {},
};
