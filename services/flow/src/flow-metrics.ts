import { Counter, Gauge, Histogram, type Registry } from "@migrate/metrics";

/** The flow service's own series, beside Node's defaults. */
export interface FlowMetrics {
  uploads: Counter<"format" | "outcome">;
  rawRecords: Counter;
  outboxPublished: Counter;
  outboxPublishErrors: Counter;
  /** Lifecycle calls and engine runs: operation (pause, resume, cancel, retry, approve_mappings, run) × outcome. */
  operations: Counter<"operation" | "outcome">;
  /** From creation to completion, for completed flows. */
  flowDuration: Histogram;
  phaseDuration: Histogram<"phase">;
  /** Flows this replica is working on right now. */
  flowsActive: Gauge;
}

export function createFlowMetrics(registry: Registry): FlowMetrics {
  return {
    uploads: new Counter({
      name: "flow_uploads_total",
      help: "Inventory uploads by source format and outcome (created, or the error code)",
      labelNames: ["format", "outcome"],
      registers: [registry],
    }),
    rawRecords: new Counter({
      name: "flow_raw_records_ingested_total",
      help: "Raw inventory records stored by committed uploads",
      registers: [registry],
    }),
    outboxPublished: new Counter({
      name: "flow_outbox_published_total",
      help: "Outbox events published to JetStream",
      registers: [registry],
    }),
    outboxPublishErrors: new Counter({
      name: "flow_outbox_publish_errors_total",
      help: "Failed outbox relay passes (the events stay queued and are retried)",
      registers: [registry],
    }),
    operations: new Counter({
      name: "flow_operations_total",
      help: "Flow lifecycle calls and engine runs by operation and outcome (ok, an error code, or how a run ended)",
      labelNames: ["operation", "outcome"],
      registers: [registry],
    }),
    flowDuration: new Histogram({
      name: "flow_duration_seconds",
      help: "Wall time of completed flows, from creation to completion (waiting for input included)",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400, 86400],
      registers: [registry],
    }),
    phaseDuration: new Histogram({
      name: "flow_phase_duration_seconds",
      help: "Wall time of one run of a phase on this replica",
      labelNames: ["phase"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    flowsActive: new Gauge({
      name: "flows_active",
      help: "Flows this replica is working on now",
      registers: [registry],
    }),
  };
}
