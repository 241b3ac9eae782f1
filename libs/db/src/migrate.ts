import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";

/**
 * Creates the schema and applies pending migrations. A session-level advisory lock keyed by
 * the schema makes concurrent replicas take turns: the first migrates, the rest find nothing to do.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  // The migrator works on any schema shape; the service's own table types do not matter here.
  return (db as unknown as Kysely<unknown>).connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${`migrate-mesh:${schema}`}))`.execute(conn);
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      // kysely's introspection reads the catalog of every schema; a parallel worker resolving a
      // schema that another service (or test) drops meanwhile fails the whole listing.
      await sql`set max_parallel_workers_per_gather = 0`.execute(conn);
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => migrations },
        migrationTableSchema: schema,
      });
      // kysely's introspection lists tables of every schema; one dropped meanwhile (another
      // service's tests, a tenant clean-up) fails the listing, not the migration: try again.
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest().catch((thrown: unknown) => ({
          error: thrown,
          results: undefined,
        }));
        if (!error) return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
        if (!vanishedObject(error) || attempt >= 5) {
          throw new Error(`migrations of schema ${schema} failed`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    } finally {
      await sql`reset max_parallel_workers_per_gather`.execute(conn);
      await sql`select pg_advisory_unlock(hashtext(${`migrate-mesh:${schema}`}))`.execute(conn);
    }
  });
}

/** An undefined schema or table (3F000, 42P01) that was there when the listing started. */
function vanishedObject(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === "3F000" || code === "42P01" || /(schema|relation) "[^"]+" does not exist/.test(String(message));
}
