import { randomBytes } from "node:crypto";
import { createRedis } from "@migrate/cache";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { connectEvents } from "@migrate/events";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { checkHealth, type GrpcServerHandle, startGrpcServer } from "@migrate/grpc";
import { signDevToken } from "../../src/auth/dev-token.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "./service-process.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export type StandInName = "agent" | "learning" | "telemetry";

export interface GatewayStack {
  gatewayUrl: string;
  metricsUrl: string;
  readonly gateway: ServiceProcess;
  flow: ServiceProcess;
  /** Health-only gRPC servers standing in for the services the gateway only checks for readiness. */
  standIns: Record<StandInName, GrpcServerHandle>;
  redisKeyPrefix: string;
  /** A fresh tenant id, unique to this run. */
  tenant(label: string): string;
  /** A token the gateway accepts (signed with this stack's secret). */
  token(client: string, options?: { sub?: string; engagement?: string; expiresIn?: string | number }): Promise<string>;
  secret: string;
  stopGateway(): Promise<{ code: number | null; ms: number }>;
  /** Starts the gateway again with the same settings (after `stopGateway`). */
  restartGateway(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The real flow service (own DB schema, JetStream stream and subject prefix) and the real gateway
 * process (own Redis key prefix and JWT secret) in front of it; agent, learning and telemetry are
 * health-only stand-ins, since the gateway only checks their readiness. `cleanup` stops all and
 * drops everything this run created.
 */
export async function startGatewayStack(
  options: { maxUploadBytes?: number; gatewayEnv?: Record<string, string> } = {},
): Promise<GatewayStack> {
  const run = randomBytes(4).toString("hex");
  const schema = withTestSchema("gw_flow");
  const stream = `GW_TEST_${run.toUpperCase()}`;
  const subjectPrefix = `gwtest.${run}.flow`;
  const redisKeyPrefix = `mm:gwtest:${run}:`;
  const secret = `test-secret-${randomBytes(16).toString("hex")}`;
  // Gateway and flow trust each other only under one mesh key.
  const meshSecret = randomBytes(32).toString("hex");

  const standIns = {} as Record<StandInName, GrpcServerHandle>;
  let flow: ServiceProcess | undefined;
  let gateway: ServiceProcess | undefined;
  // Also run when start-up fails half-way, so a broken run leaves nothing behind.
  const teardown = async () => {
    await gateway?.stop();
    await flow?.stop();
    for (const handle of Object.values(standIns)) await handle.shutdown(500);
    const database = createDb({ url: DATABASE_URL, schema, name: "gateway-test-cleanup" });
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    } finally {
      await database.close();
    }
    const bus = await connectEvents({ servers: NATS_URL, name: "gateway-test-cleanup" });
    try {
      await bus.jsm.streams.delete(stream).catch(() => false);
    } finally {
      await bus.close();
    }
    const redis = createRedis(REDIS_URL);
    try {
      const keys = await redis.keys(`${redisKeyPrefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  };
  try {
    return await startAll();
  } catch (error) {
    await teardown().catch(() => {});
    throw error;
  }

  async function startAll(): Promise<GatewayStack> {
    for (const name of ["agent", "learning", "telemetry"] as const) {
      standIns[name] = await startGrpcServer({ host: "127.0.0.1", port: 0, register: () => {}, serviceNames: [] });
    }

    const flowPort = await freePort();
    const flowTarget = `dns:///127.0.0.1:${flowPort}`;
    const flowProcess = await startServiceProcess({
      entry: "services/flow/src/main.ts",
      env: {
        MESH_SECRET: meshSecret,
        GRPC_PORT: String(flowPort),
        METRICS_PORT: String(await freePort()),
        DATABASE_URL,
        DATABASE_SCHEMA: schema,
        NATS_URL,
        FLOW_EVENTS_STREAM: stream,
        FLOW_EVENTS_SUBJECT_PREFIX: subjectPrefix,
        AGENT_GRPC_TARGET: `dns:///127.0.0.1:${standIns.agent.port}`,
        LEARNING_GRPC_TARGET: `dns:///127.0.0.1:${standIns.learning.port}`,
      },
      ready: async () => (await checkHealth(flowTarget, FlowService.typeName, 500)) === "SERVING",
    });
    flow = flowProcess;

    const httpPort = await freePort();
    const metricsPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${httpPort}`;
    const gatewayEnv = {
      HTTP_PORT: String(httpPort),
      METRICS_PORT: String(metricsPort),
      REDIS_URL,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      FLOW_GRPC_TARGET: flowTarget,
      AGENT_GRPC_TARGET: `dns:///127.0.0.1:${standIns.agent.port}`,
      LEARNING_GRPC_TARGET: `dns:///127.0.0.1:${standIns.learning.port}`,
      TELEMETRY_GRPC_TARGET: `dns:///127.0.0.1:${standIns.telemetry.port}`,
      JWT_SECRET: secret,
      MESH_SECRET: meshSecret,
      SHUTDOWN_TIMEOUT_MS: "8000",
      // A short drain: nothing balances load in front of a test gateway.
      SHUTDOWN_DRAIN_MS: "1000",
      ...(options.maxUploadBytes ? { MAX_UPLOAD_BYTES: String(options.maxUploadBytes) } : {}),
      ...options.gatewayEnv,
    };
    const startGateway = () =>
      startServiceProcess({
        entry: "services/gateway/src/main.ts",
        env: gatewayEnv,
        ready: async () => (await fetch(`${gatewayUrl}/healthz`)).ok,
      });
    let current = await startGateway();
    gateway = current;

    return {
      gatewayUrl,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      get gateway() {
        return current;
      },
      flow: flowProcess,
      standIns,
      redisKeyPrefix,
      secret,
      tenant: (label) => `${label}-${run}-${randomBytes(3).toString("hex")}`,
      token: (client, tokenOptions = {}) =>
        signDevToken({
          client,
          engagement: tokenOptions.engagement,
          sub: tokenOptions.sub ?? "tester",
          roles: ["analyst"],
          secret,
          expiresIn: tokenOptions.expiresIn ?? "10m",
        }),
      stopGateway: () => current.stop(),
      async restartGateway() {
        await current.stop();
        current = await startGateway();
        gateway = current;
      },
      cleanup: teardown,
    };
  }
}
