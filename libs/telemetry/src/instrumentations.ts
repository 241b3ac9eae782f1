import type { Instrumentation } from "@opentelemetry/instrumentation";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { enabledInstrumentations, type InstrumentationName } from "./instrumented-modules.ts";

const FACTORIES: Record<InstrumentationName, () => Instrumentation> = {
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
};

/**
 * Database spans are made by libs/db (query-spans.ts) and log lines get their trace ids from the
 * logger's own mixin: neither needs a patching instrumentation, whose work ran on every query
 * and log call even with nothing sampled.
 *
 * The instrumentations every service runs: the hops the mesh is made of, less those named in
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS (or only those in OTEL_NODE_ENABLED_INSTRUMENTATIONS).
 */
export function getNodeAutoInstrumentations(env: NodeJS.ProcessEnv = process.env): Instrumentation[] {
  return enabledInstrumentations(env).map((name) => FACTORIES[name]());
}
