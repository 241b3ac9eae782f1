import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// An asset's cleansing changes are an audit list, written once and read back whole, never
// queried inside: json keeps the text as sent, where jsonb parsed it into a tree on every insert
// (measured: a third of the cost of storing a batch of 1,000 assets).
export const storeChangesAsJson: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table assets alter column changes drop default`.execute(db);
    await sql`alter table assets alter column changes type json using changes::json`.execute(db);
    await sql`alter table assets alter column changes set default '[]'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table assets alter column changes drop default`.execute(db);
    await sql`alter table assets alter column changes type jsonb using changes::jsonb`.execute(db);
    await sql`alter table assets alter column changes set default '[]'`.execute(db);
  },
};
