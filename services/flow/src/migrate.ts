/**
 * The flow service's migrations as a command of their own: migrates its schema to the latest
 * version and exits (0 done, 1 failed). The Helm chart runs it as a pre-install/pre-upgrade hook
 * Job, and the service's pods then start with MIGRATE_ON_START=false.
 *   node services/flow/src/migrate.ts
 */
import { baseServiceSchema, loadConfig, z } from "@migrate/config";
import { createDb, migrateToLatest } from "@migrate/db";
import { createLogger } from "@migrate/logger";
import { flowMigrations } from "./db/migrations/index.ts";

// Only what migrating needs: no mesh key, ports or peers.
const config = loadConfig(
  baseServiceSchema.pick({ LOG_LEVEL: true, SERVICE_INSTANCE: true }).extend({
    DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
    DATABASE_SCHEMA: z.string().min(1).default("flow"),
  }),
);
const logger = createLogger({ service: "flow", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });
const database = createDb({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: `flow-migrate-${config.SERVICE_INSTANCE}`,
  poolMax: 1,
});
try {
  const applied = await migrateToLatest(database.db, database.schema, flowMigrations);
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
