import type { Instrumentation } from "@opentelemetry/instrumentation";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { enabledInstrumentations, type InstrumentationName } from "./instrumented-modules.ts";

const FACTORIES: Record<InstrumentationName, () => Instrumentation> = {
  // Pool checkouts would double the database spans at no diagnostic gain (waits show in the
  // query span's start and in db_pool_connections{state="waiting"}).
  pg: () => new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
  // The command and its first key, never the Lua source of a script nor the values sent.
  ioredis: () =>
    new IORedisInstrumentation({
      requireParentSpan: true,
      dbStatementSerializer: (command, args) =>
        command === "eval" || command === "evalsha"
          ? `${command} (${String(args[1] ?? "")} keys)`
          : `${command} ${args
              .filter((arg) => typeof arg === "string")
              .slice(0, 1)
              .join(" ")}`.trim(),
    }),
  // Log lines get trace_id/span_id from the logger's own mixin, which works the same with or
  // without this patch; the instrumentation only stays so a pino logger made elsewhere is seen.
  pino: () => new PinoInstrumentation({ disableLogSending: true, disableLogCorrelation: true }),
};

/**
 * The instrumentations every service runs: the hops the mesh is made of, less those named in
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS (or only those in OTEL_NODE_ENABLED_INSTRUMENTATIONS).
 */
export function getNodeAutoInstrumentations(env: NodeJS.ProcessEnv = process.env): Instrumentation[] {
  return enabledInstrumentations(env).map((name) => FACTORIES[name]());
}
