import type { Migration } from "@migrate/db";
import { createFlows } from "./2026_11_26_0001_create_flows.ts";
import { createRawRecords } from "./2026_11_26_0002_create_raw_records.ts";
import { createOutbox } from "./2026_11_26_0003_create_outbox.ts";
import { createDiscoveryTables } from "./2026_11_26_0004_create_discovery_tables.ts";
import { addFlowTraceCarrier } from "./2026_11_26_0005_add_flow_trace_carrier.ts";
import { dropPerRowCopies } from "./2026_11_27_0006_drop_per_row_copies.ts";
import { storeChangesAsJson } from "./2026_11_27_0007_store_changes_as_json.ts";
import { assetsRoomForUpdates } from "./2026_11_27_0008_assets_room_for_updates.ts";
import { fieldMappingSibling } from "./2026_12_05_0009_field_mapping_sibling.ts";
import { flowsTenantStatusIndex } from "./2026_12_06_0010_flows_tenant_status_index.ts";

/** Every migration of the `flow` schema, keyed by its frozen, date-prefixed name. */
export const flowMigrations: Record<string, Migration> = {
  "2026_11_26_0001_create_flows": createFlows,
  "2026_11_26_0002_create_raw_records": createRawRecords,
  "2026_11_26_0003_create_outbox": createOutbox,
  "2026_11_26_0004_create_discovery_tables": createDiscoveryTables,
  "2026_11_26_0005_add_flow_trace_carrier": addFlowTraceCarrier,
  "2026_11_27_0006_drop_per_row_copies": dropPerRowCopies,
  "2026_11_27_0007_store_changes_as_json": storeChangesAsJson,
  "2026_11_27_0008_assets_room_for_updates": assetsRoomForUpdates,
  "2026_12_05_0009_field_mapping_sibling": fieldMappingSibling,
  "2026_12_06_0010_flows_tenant_status_index": flowsTenantStatusIndex,
};
