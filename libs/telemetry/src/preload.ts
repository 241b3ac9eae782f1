/**
 * Preload for `node --import @migrate/telemetry/preload`. ESM links the whole module graph
 * before any code runs, so the loader hook must be registered here, first, and the SDK
 * imported only afterwards; otherwise grpc-js and pg stay silently unpatched.
 * Tracing stays entirely off (no hook, no SDK) unless an OTLP endpoint is configured.
 */
import { register } from "node:module";

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const disabled = process.env.OTEL_SDK_DISABLED === "true" || process.env.OTEL_TRACES_EXPORTER === "none";

if (endpoint && !disabled) {
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
  const { startTracing } = await import("./start-tracing.ts");
  startTracing();
}
