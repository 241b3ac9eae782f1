/**
 * Preload for `node --import @migrate/telemetry/preload`. ESM links the whole module graph
 * before any code runs, so the loader hook must be registered here, first, and the SDK
 * imported only afterwards; otherwise grpc-js and pg stay silently unpatched.
 * Tracing stays entirely off (no hook, no SDK, nothing imported) unless an OTLP endpoint is set.
 */
import { register } from "node:module";
import { instrumentedModules } from "./instrumented-modules.ts";

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const disabled = process.env.OTEL_SDK_DISABLED === "true" || process.env.OTEL_TRACES_EXPORTER === "none";

if (endpoint && !disabled) {
  // Only the instrumented modules are wrapped. Where Node allows it (24.11.1 and later) the hook
  // runs in-thread, which avoids a loader thread and a message round trip per imported module.
  const include = instrumentedModules();
  const inThread = await import("import-in-the-middle/register-hooks.mjs");
  if (inThread.supportsSyncHooks()) inThread.register({ include });
  else register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include } });
  const { startTracing } = await import("./start-tracing.ts");
  startTracing();
}
