import { NodeSDK } from "@opentelemetry/sdk-node";
import { getNodeAutoInstrumentations } from "./instrumentations.ts";

const SHUTDOWN_BOUND_MS = 2_000;

/** Starts the NodeSDK from the standard OTEL_* variables; metrics and logs go to Prometheus and stdout instead. */
export function startTracing(): void {
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL ??= "http/protobuf";
  process.env.OTEL_TRACES_SAMPLER ??= "parentbased_traceidratio";
  process.env.OTEL_TRACES_SAMPLER_ARG ??= "1";
  const sdk = new NodeSDK({ instrumentations: getNodeAutoInstrumentations() });
  sdk.start();
  // sdk.shutdown() can hang for seconds when the collector is gone: bound it.
  const stop = () =>
    Promise.race([sdk.shutdown(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_BOUND_MS).unref())]);
  process.once("beforeExit", () => void stop());
  (globalThis as { __migrateStopTracing?: () => Promise<unknown> }).__migrateStopTracing = stop;
}
