/** Flow statuses as stored and shown in the REST API (DESIGN.md section 3). */
export const FLOW_STATUSES = [
  "pending",
  "running",
  "awaiting_input",
  "paused",
  "completed",
  "failed",
  "cancelled",
] as const;
export type FlowStatusName = (typeof FLOW_STATUSES)[number];

/** Discovery flow phases, in the order they run. */
export const FLOW_PHASES = [
  "data_import",
  "data_validation",
  "field_mapping",
  "data_cleansing",
  "asset_inventory",
  "dependency_analysis",
  "application_discovery",
  "strategy_recommendation",
] as const;
export type FlowPhaseName = (typeof FLOW_PHASES)[number];
