export { Counter, Gauge, Histogram, type Registry } from "prom-client";
export { createMetricsRegistry, startMetricsServer } from "./metrics-registry.ts";
