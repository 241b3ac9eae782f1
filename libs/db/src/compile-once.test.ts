import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileOnce } from "./compile-once.ts";
import { createDb, withTestSchema } from "./create-db.ts";

interface Db {
  pets: { id: number; owner: string; name: string };
}

const schema = withTestSchema("compile_once");
const { db, close } = createDb<Db>({
  url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  schema,
  name: "compile-once-test",
});

beforeAll(async () => {
  await db.schema.createSchema(schema).execute();
  await db.schema
    .createTable(`${schema}.pets`)
    .addColumn("id", "integer")
    .addColumn("owner", "text")
    .addColumn("name", "text")
    .execute();
  await db
    .insertInto("pets")
    .values([
      { id: 1, owner: "ann", name: "rex" },
      { id: 2, owner: "bob", name: "tom" },
      { id: 3, owner: "bob", name: "nobody" },
    ])
    .execute();
});

afterAll(async () => {
  await db.schema.dropSchema(schema).cascade().execute();
  await close();
});

describe("compileOnce", () => {
  const byOwnerAndId = compileOnce(["owner", "id"], (p) =>
    db.selectFrom("pets").selectAll().where("owner", "=", p.owner).where("id", "=", p.id).where("name", "!=", "nobody"),
  );

  it("runs the compiled query with each call's values, keeping the constants", async () => {
    expect((await db.executeQuery(byOwnerAndId({ owner: "ann", id: 1 }))).rows).toEqual([
      { id: 1, owner: "ann", name: "rex" },
    ]);
    expect((await db.executeQuery(byOwnerAndId({ owner: "bob", id: 2 }))).rows).toEqual([
      { id: 2, owner: "bob", name: "tom" },
    ]);
    expect((await db.executeQuery(byOwnerAndId({ owner: "ann", id: 2 }))).rows).toEqual([]);
    // The constant stays: bob's pet named "nobody" is filtered out.
    expect((await db.executeQuery(byOwnerAndId({ owner: "bob", id: 3 }))).rows).toEqual([]);
  });

  it("refuses a query that leaves a parameter out", () => {
    expect(() =>
      compileOnce(["owner", "id"], (p) => db.selectFrom("pets").selectAll().where("owner", "=", p.owner)),
    ).toThrow(/parameter id/);
  });
});
