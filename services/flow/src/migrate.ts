/**
 * The flow service's migrations as a command of their own (the Helm chart's hook Job):
 *   node services/flow/src/migrate.ts
 */
import { runMigrateCommand } from "@migrate/db";
import { flowMigrations } from "./db/migrations/index.ts";

await runMigrateCommand("flow", flowMigrations);
