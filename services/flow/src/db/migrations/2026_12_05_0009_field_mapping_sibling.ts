import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// A column that duplicates another's quantity (memory in MB beside memory in GB) names that
// column, so the review can show why it stays a custom attribute (issue 18).
export const fieldMappingSibling: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table field_mappings add column sibling text not null default ''`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table field_mappings drop column sibling`.execute(db);
  },
};
