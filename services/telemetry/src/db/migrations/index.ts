import type { Migration } from "@migrate/db";
import { createFlowEventsInbox } from "./2026_11_26_0001_create_flow_events_inbox.ts";
import { createLlmUsageTables } from "./2026_11_26_0002_create_llm_usage_tables.ts";
import { seedModelPricing } from "./2026_11_26_0003_seed_model_pricing.ts";

/** Every migration of schema `telemetry`, keyed by its frozen, date-prefixed name (applied in key order). */
export const telemetryMigrations: Record<string, Migration> = {
  "2026_11_26_0001_create_flow_events_inbox": createFlowEventsInbox,
  "2026_11_26_0002_create_llm_usage_tables": createLlmUsageTables,
  "2026_11_26_0003_seed_model_pricing": seedModelPricing,
};
