export { Counter, Gauge, Histogram, type Registry } from "prom-client";
export { createMetricsRegistry, startMetricsServer } from "./metrics-registry.ts";
export type { PoolCounts } from "./pool-metrics.ts";
export { registerPoolMetrics } from "./pool-metrics.ts";
