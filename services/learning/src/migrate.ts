/**
 * The learning service's migrations as a command of their own (the Helm chart's hook Job):
 *   node services/learning/src/migrate.ts
 */
import { runMigrateCommand } from "@migrate/db";
import { learningMigrations } from "./db/migrations/index.ts";

await runMigrateCommand("learning", learningMigrations);
