/**
 * The telemetry service's migrations as a command of their own (the Helm chart's hook Job):
 *   node services/telemetry/src/migrate.ts
 */
import { runMigrateCommand } from "@migrate/db";
import { telemetryMigrations } from "./db/migrations/index.ts";

await runMigrateCommand("telemetry", telemetryMigrations);
