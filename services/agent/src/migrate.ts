/**
 * The agent service's migrations as a command of their own (the Helm chart's hook Job):
 *   node services/agent/src/migrate.ts
 */
import { runMigrateCommand } from "@migrate/db";
import { agentMigrations } from "./db/migrations/index.ts";

await runMigrateCommand("agent", agentMigrations);
