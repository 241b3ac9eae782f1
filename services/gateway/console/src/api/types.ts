/** The REST API's JSON shapes the console reads (docs/api.md). */
export type FlowStatus = "pending" | "running" | "awaiting_input" | "paused" | "completed" | "failed" | "cancelled";

export interface FlowPhaseState {
  phase: string;
  status: string;
  progress: number;
  processed: number;
  total: number;
  started_at: string;
  completed_at: string;
  error: string;
}

export interface Flow {
  id: string;
  client_account_id: string;
  engagement_id: string | null;
  name: string;
  status: FlowStatus;
  phase: string | null;
  progress: number;
  raw_record_count: number;
  source_format: string;
  source_filename: string;
  columns: string[];
  created_by: string;
  created_at: string;
  updated_at: string;
  status_message: string;
  connection_count: number;
  asset_count: number;
  application_count: number;
  notices: string[];
  completed_at: string;
  phases: FlowPhaseState[];
}

export interface FieldMapping {
  source: string;
  target: string;
  confidence: number;
  reason: string;
  unit: string;
  sibling?: string;
  alternatives: { target: string; confidence: number }[];
}

export interface Mappings {
  flow_id: string;
  format: string;
  confidence_threshold: number;
  awaiting_approval: boolean;
  reasons: string[];
  mappings: FieldMapping[];
  valid_targets: string[];
}

export interface AssetView {
  asset: Record<string, unknown> & { row_number?: number };
  application_key: string;
  strategy: { strategy: string; rationale: string; confidence: number; missing_data: string[] } | null;
  wave: number;
}

export interface Issue {
  row_number: number;
  column: string;
  field: string;
  value: string;
  severity: string;
  code: string;
  message: string;
}

export interface Report {
  data_quality?: number;
  issues_by_code?: { key: string; count: number }[];
  by_strategy?: { key: string; count: number }[];
  open_issue_count?: number;
  [key: string]: unknown;
}

/** A flow event as the console keeps it (from WatchFlow). */
export interface LiveEvent {
  id: string;
  type: string;
  phase: string;
  progress: number;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export const TERMINAL: readonly FlowStatus[] = ["completed", "failed", "cancelled"];

export interface Application {
  key: string;
  name: string;
  asset_row_numbers: (number | string)[];
  method: string;
  confidence: number;
  reason: string;
}

export interface ApplicationView {
  application: Application;
  strategy: {
    application_key: string;
    strategy: string;
    rationale: string;
    confidence: number;
    missing_data: string[];
  } | null;
  wave: number;
}

export interface ApplicationEdge {
  source_key: string;
  target_key: string;
  edge_count: number;
  service_kinds: string[];
}

export interface DependencyEdge {
  source_row_number: number | string;
  source_label: string;
  target_row_number: number | string;
  target_label: string;
  port: number;
  protocol: string;
  service_kind: string;
  connection_count: number;
  external: boolean;
}

export interface Wave {
  number: number;
  application_keys: string[];
  rationale: string;
}

export interface Counted {
  key: string;
  count: number;
}
