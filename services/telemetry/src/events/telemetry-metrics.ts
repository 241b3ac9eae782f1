import { Counter, Gauge, type Registry } from "@migrate/metrics";

export type RecordOutcome = "recorded" | "duplicate" | "poison";

export interface TelemetryMetrics {
  flowEvents: Counter<"outcome">;
  usageRecords: Counter<"outcome">;
  /** Adds a recorded call's cost to llm_cost_dollars_total. */
  cost(provider: string, model: string, clientAccountId: string, dollars: number): void;
  unpriced(provider: string, model: string): void;
}

/**
 * Counters of the consumers, registered on the service's registry. Cost lives here, where the
 * prices are. Labels stay bounded; the tenant label only with METRICS_TENANT_LABELS=true.
 */
export function createTelemetryMetrics(registry: Registry, options: { tenantLabels?: boolean } = {}): TelemetryMetrics {
  const outcomes = ["recorded", "duplicate", "poison"] satisfies RecordOutcome[];
  const flowEvents = new Counter({
    name: "telemetry_flow_events_total",
    help: "Flow events consumed, by outcome: recorded, duplicate (already in the inbox) or poison (malformed, skipped)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const usageRecords = new Counter({
    name: "llm_usage_records_total",
    help: "LLM usage events consumed, by outcome: recorded, duplicate (already recorded) or poison (malformed, skipped)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of outcomes) {
    flowEvents.inc({ outcome }, 0);
    usageRecords.inc({ outcome }, 0);
  }
  const cost = new Counter({
    name: "llm_cost_dollars_total",
    help: "Cost of recorded LLM calls in USD, priced from the model pricing table when recorded",
    labelNames: ["provider", "model", ...(options.tenantLabels ? ["client_account_id"] : [])],
    registers: [registry],
  });
  const unpriced = new Counter({
    name: "llm_usage_unpriced_total",
    help: "Recorded LLM calls with tokens but no price for their model and date (recorded at 0 USD)",
    labelNames: ["provider", "model"],
    registers: [registry],
  });
  return {
    flowEvents,
    usageRecords,
    cost: (provider, model, clientAccountId, dollars) =>
      cost.inc(
        options.tenantLabels ? { provider, model, client_account_id: clientAccountId } : { provider, model },
        dollars,
      ),
    unpriced: (provider, model) => unpriced.inc({ provider, model }),
  };
}

/**
 * Consumer lag as JetStream reports it (`num_pending`), read only when Prometheus scrapes:
 * no timer to stop, and a broker hiccup leaves the last value rather than failing the scrape.
 */
export function registerConsumerLag(
  registry: Registry,
  readPending: () => Promise<number>,
  name = "telemetry_flow_events_consumer_pending",
  help = "Flow events in the stream not yet delivered to the telemetry durable consumer",
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      try {
        this.set(await readPending());
      } catch {
        // Keep the previous value: lag is informative, the scrape must still succeed.
      }
    },
  });
}
