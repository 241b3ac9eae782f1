/** The instrumentations the mesh knows, by the short names OTEL_NODE_*_INSTRUMENTATIONS use. */
export type InstrumentationName = "ioredis";

/** What each instrumentation patches when it is imported from ESM. */
const MODULES: Record<InstrumentationName, string[]> = {
  ioredis: ["ioredis"],
};

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);

/**
 * The instrumentations to run: all, less OTEL_NODE_DISABLED_INSTRUMENTATIONS, or only those in
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS (the variables of OpenTelemetry's auto-instrumentations).
 */
export function enabledInstrumentations(env: NodeJS.ProcessEnv = process.env): InstrumentationName[] {
  const all = Object.keys(MODULES) as InstrumentationName[];
  const enabled = list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = new Set(list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  return all.filter((name) => (enabled.length === 0 || enabled.includes(name)) && !disabled.has(name));
}

/**
 * The modules the loader hook wraps: exactly those the enabled instrumentations patch when they
 * are imported from ESM. Everything else loads untouched, which keeps start-up fast; their
 * CommonJS internals are patched through require hooks instead.
 */
export function instrumentedModules(env: NodeJS.ProcessEnv = process.env): string[] {
  return enabledInstrumentations(env).flatMap((name) => MODULES[name]);
}
