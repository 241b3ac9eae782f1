import { Counter, type Registry } from "@migrate/metrics";

/** The flow service's own series, beside Node's defaults. */
export interface FlowMetrics {
  uploads: Counter<"format" | "outcome">;
  rawRecords: Counter;
  outboxPublished: Counter;
  outboxPublishErrors: Counter;
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
  };
}
