import { baseServiceSchema, loadConfig, z } from "@migrate/config";
import { createLogger } from "@migrate/logger";
import type { Migration } from "kysely/migration";
import { createDb } from "./create-db.ts";
import { migrateToLatest } from "./migrate.ts";

/**
 * A service's migrations as a command of their own (`node services/<name>/src/migrate.ts`):
 * migrates the schema to the latest version and sets the exit code (0 done, 1 failed). The Helm
 * chart runs it as a pre-install/pre-upgrade hook Job; the pods then start with MIGRATE_ON_START=false.
 */
export async function runMigrateCommand(service: string, migrations: Record<string, Migration>): Promise<void> {
  // Only what migrating needs: no mesh key, ports or peers.
  const config = loadConfig(
    baseServiceSchema.pick({ LOG_LEVEL: true, SERVICE_INSTANCE: true }).extend({
      DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
      DATABASE_SCHEMA: z.string().min(1).default(service),
    }),
  );
  const logger = createLogger({ service, level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });
  const database = createDb({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    name: `${service}-migrate-${config.SERVICE_INSTANCE}`,
    poolMax: 1,
  });
  try {
    const applied = await migrateToLatest(database.db, database.schema, migrations);
    logger.info(
      { schema: database.schema, applied },
      applied.length ? "migrations applied" : "schema already up to date",
    );
  } catch (error) {
    logger.error({ err: error, schema: database.schema }, "migrations failed");
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
