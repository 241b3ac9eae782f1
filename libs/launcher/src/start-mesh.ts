import { randomBytes } from "node:crypto";
import { DEV_JWT_SECRET } from "@migrate/config";
import type { MeshCredentials } from "@migrate/grpc";
import { type MeshPorts, meshPorts, SERVICE_NAMES, type ServiceName } from "./ports.ts";
import { meshCredentials, newMeshSecret, type ServiceProcess, startService } from "./start-service.ts";

export interface StartMeshOptions {
  /** First port of a block of 20; omit for the README's default ports. */
  portBase?: number;
  /** Give this mesh its own schemas, event stream, durable and Redis prefix (tests). */
  isolate?: boolean;
  /** Extra variables for every service, or per service. */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  onLine?: (line: string) => void;
  /** Services to leave out (e.g. to test readiness). */
  skip?: ServiceName[];
}

export interface Mesh {
  ports: MeshPorts;
  gatewayUrl: string;
  jwtSecret: string;
  /** The isolation suffix ("" when not isolated): schemas are `<service><suffix>`. */
  suffix: string;
  services: Partial<Record<ServiceName, ServiceProcess>>;
  env: Record<ServiceName, Record<string, string>>;
  /** Signs direct gRPC calls to this mesh's services (tests, scripts). */
  credentials: MeshCredentials;
  stop(): Promise<void>;
}

/**
 * The environment each service gets in a mesh on `ports`; every service of one mesh shares a
 * mesh key (`MESH_SECRET`) new to this call unless `env` gives one.
 */
export function meshEnvironment(
  ports: MeshPorts,
  options: { suffix: string; jwtSecret: string; env?: Record<string, string> },
): Record<ServiceName, Record<string, string>> {
  const shared: Record<string, string> = {
    MESH_SECRET: newMeshSecret(),
    DATABASE_URL: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    ...(options.suffix
      ? {
          FLOW_EVENTS_STREAM: `FLOW_EVENTS${options.suffix.toUpperCase()}`,
          FLOW_EVENTS_SUBJECT_PREFIX: `t${options.suffix}.migrate.flow.v1`,
          USAGE_EVENTS_STREAM: `LLM_USAGE${options.suffix.toUpperCase()}`,
          USAGE_EVENTS_SUBJECT_PREFIX: `t${options.suffix}.migrate.usage.v1`,
        }
      : {}),
    ...options.env,
  };
  const target = (port: number) => `dns:///127.0.0.1:${port}`;
  const schema = (name: string) => ({ DATABASE_SCHEMA: `${name}${options.suffix}` });
  return {
    learning: {
      ...shared,
      ...schema("learning"),
      GRPC_PORT: `${ports.grpc.learning}`,
      METRICS_PORT: `${ports.metrics.learning}`,
    },
    agent: {
      ...shared,
      ...schema("agent"),
      GRPC_PORT: `${ports.grpc.agent}`,
      METRICS_PORT: `${ports.metrics.agent}`,
      LEARNING_GRPC_TARGET: target(ports.grpc.learning),
      TELEMETRY_GRPC_TARGET: target(ports.grpc.telemetry),
    },
    flow: {
      ...shared,
      ...schema("flow"),
      GRPC_PORT: `${ports.grpc.flow}`,
      METRICS_PORT: `${ports.metrics.flow}`,
      AGENT_GRPC_TARGET: target(ports.grpc.agent),
      LEARNING_GRPC_TARGET: target(ports.grpc.learning),
    },
    telemetry: {
      ...shared,
      ...schema("telemetry"),
      GRPC_PORT: `${ports.grpc.telemetry}`,
      METRICS_PORT: `${ports.metrics.telemetry}`,
      ...(options.suffix ? { TELEMETRY_DURABLE: `telemetry${options.suffix}` } : {}),
    },
    gateway: {
      ...shared,
      HTTP_PORT: `${ports.gatewayHttp}`,
      METRICS_PORT: `${ports.metrics.gateway}`,
      JWT_SECRET: options.jwtSecret,
      // Nothing balances load in front of a local mesh: no drain period is needed before it stops.
      SHUTDOWN_DRAIN_MS: "200",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: options.suffix ? `mm${options.suffix}:` : "mm:",
      FLOW_GRPC_TARGET: target(ports.grpc.flow),
      AGENT_GRPC_TARGET: target(ports.grpc.agent),
      LEARNING_GRPC_TARGET: target(ports.grpc.learning),
      TELEMETRY_GRPC_TARGET: target(ports.grpc.telemetry),
    },
  };
}

/** Starts the five services in dependency order, each as its own process, and waits for each. */
export async function startMesh(options: StartMeshOptions = {}): Promise<Mesh> {
  const ports = meshPorts(options.portBase);
  const suffix = options.isolate ? `_${randomBytes(4).toString("hex")}` : "";
  const jwtSecret = options.isolate ? randomBytes(24).toString("hex") : (process.env.JWT_SECRET ?? DEV_JWT_SECRET);
  const env = meshEnvironment(ports, { suffix, jwtSecret, env: options.env });
  for (const name of SERVICE_NAMES) Object.assign(env[name], options.serviceEnv?.[name]);
  const services: Mesh["services"] = {};
  const stop = async () => {
    for (const name of [...SERVICE_NAMES].reverse()) await services[name]?.stop("SIGTERM");
  };
  try {
    for (const name of SERVICE_NAMES) {
      if (options.skip?.includes(name)) continue;
      services[name] = await startService(name, { env: env[name], onLine: options.onLine, prefix: true });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    gatewayUrl: `http://127.0.0.1:${ports.gatewayHttp}`,
    jwtSecret,
    suffix,
    services,
    env,
    credentials: meshCredentials(env.flow),
    stop,
  };
}
