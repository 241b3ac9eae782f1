import { Counter, Gauge, type Registry } from "@migrate/metrics";

export type RecordOutcome = "recorded" | "duplicate" | "poison";

export interface TelemetryMetrics {
  flowEvents: Counter<"outcome">;
}

/** Counters of the flow event consumer, registered on the service's registry. */
export function createTelemetryMetrics(registry: Registry): TelemetryMetrics {
  const flowEvents = new Counter({
    name: "telemetry_flow_events_total",
    help: "Flow events consumed, by outcome: recorded, duplicate (already in the inbox) or poison (malformed, skipped)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of ["recorded", "duplicate", "poison"] satisfies RecordOutcome[]) flowEvents.inc({ outcome }, 0);
  return { flowEvents };
}

/**
 * Consumer lag as JetStream reports it (`num_pending`), read only when Prometheus scrapes:
 * no timer to stop, and a broker hiccup leaves the last value rather than failing the scrape.
 */
export function registerConsumerLag(registry: Registry, readPending: () => Promise<number>): void {
  new Gauge({
    name: "telemetry_flow_events_consumer_pending",
    help: "Flow events in the stream not yet delivered to the telemetry durable consumer",
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
