import { z } from "zod";

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Settings every service reads; each service extends this with its own. */
export const baseServiceSchema = z.object({
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  SERVICE_INSTANCE: z.string().default(`${process.pid}`),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // The key of the mesh's service-to-service tokens (libs/grpc mesh-credentials): without it
  // nothing the service receives or sends over gRPC could be trusted, so there is no default.
  MESH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)"),
  // Address of the internal listeners (gRPC, metrics): loopback outside Kubernetes, where
  // nothing beyond this machine should reach them; the Helm chart sets 0.0.0.0.
  BIND_HOST: z.string().default("127.0.0.1"),
  // Services that own a schema migrate it at start unless told otherwise: the Helm chart runs
  // each service's migrations as a hook Job (services/<name>/src/migrate.ts) and sets false.
  MIGRATE_ON_START: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  // gRPC servers close a connection after about this age (GOAWAY, ±10 % jitter) so clients
  // re-resolve and reach replicas added since; 0 keeps connections for ever (the default off
  // Kubernetes). The grace bounds how long calls still in flight on it may take (0: no bound).
  GRPC_MAX_CONNECTION_AGE_MS: z.coerce.number().int().min(0).default(0),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: z.coerce.number().int().min(0).default(0),
});
export type BaseServiceConfig = z.infer<typeof baseServiceSchema>;

/**
 * Parses `env` against `schema`, failing fast with every bad variable named, so a mistyped
 * deployment stops at start rather than misbehaving later.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const received = issue.path.length ? env[String(issue.path[0])] : undefined;
    return received === undefined ? `${name} is required (${issue.message})` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/**
 * The HS256 secret the gateway uses when JWT_SECRET is unset outside production, and that
 * `npm start`, `npm run demo` and `npm run token` sign with. Never valid in production.
 */
export const DEV_JWT_SECRET = "migrate-mesh-development-secret-do-not-use-in-production";
