import type { Migration } from "@migrate/db";
import { createAgentRuns } from "./2026_11_26_0001_create_agent_runs.ts";

/** Every migration of schema `agent`, keyed by its frozen, date-prefixed name (applied in key order). */
export const agentMigrations: Record<string, Migration> = {
  "2026_11_26_0001_create_agent_runs": createAgentRuns,
};
