import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Migration, migrateToLatest, sql, withTestSchema } from "./index.ts";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schema = withTestSchema("dbtest");
const migrations: Record<string, Migration> = {
  "2026_11_26_0001_create_items": {
    up: async (db) => {
      await db.schema
        .createTable("items")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .execute();
    },
  },
};
const replicas = [1, 2, 3, 4].map(() => createDb<unknown>({ url, schema, name: "migrate-test", poolMax: 2 }));

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(replicas[0]!.db);
  await Promise.all(replicas.map((r) => r.close()));
});

describe("migrateToLatest", () => {
  it("is safe when several replicas start at once: one applies, the rest find nothing to do", async () => {
    const applied = await Promise.all(replicas.map((r) => migrateToLatest(r.db, schema, migrations)));
    expect(applied.flat()).toEqual(["2026_11_26_0001_create_items"]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
      replicas[0]!.db,
    );
    // The migration table lives in the service's own schema.
    expect(tables.rows.map((r) => r.table_name)).toEqual(["items", "kysely_migration", "kysely_migration_lock"]);
  });

  it("resolves unqualified names in the service schema", async () => {
    await sql`insert into items (id) values (1)`.execute(replicas[1]!.db);
    const count = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(schema)}.items`.execute(
      replicas[2]!.db,
    );
    expect(count.rows[0]?.n).toBe(1);
  });
});
