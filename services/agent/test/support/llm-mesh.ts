import { randomUUID } from "node:crypto";
import { createDb, type Database, sql, withTestSchema } from "@migrate/db";
import { connectEvents, type EventBus, flowEventNames, type UsageEventNames, usageEventNames } from "@migrate/events";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { type ClientHandle, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, newMeshSecret, type ServiceProcess, startService } from "@migrate/launcher";
import { freePort } from "../../../telemetry/test/support/free-port.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

/** A telemetry and an agent process of their own (schemas, streams, durable), for one test file. */
export interface LlmMesh {
  agent: ClientHandle<typeof AgentService.method>["client"];
  telemetry: ClientHandle<typeof TelemetryService.method>["client"];
  agentMetrics(): Promise<string>;
  telemetryMetrics(): Promise<string>;
  bus: EventBus;
  usage: UsageEventNames;
  durable: string;
  /** The telemetry schema, for assertions on stored rows. */
  telemetryDb: Database<unknown>;
  agentProcess: ServiceProcess;
  stop(): Promise<void>;
}

export function tenantOf(prefix: string, roles: string[] = []): TenantContext {
  return {
    clientAccountId: `${prefix}_${randomUUID().slice(0, 8)}`,
    engagementId: "eng_1",
    userId: "user-1",
    requestId: randomUUID(),
    roles,
  };
}

export async function startLlmMesh(agentEnv: Record<string, string>): Promise<LlmMesh> {
  const suffix = randomUUID().slice(0, 8);
  const usage = usageEventNames({ stream: `USAGE_${suffix}`, subjectPrefix: `usage${suffix}.migrate.usage.v1` });
  const flow = flowEventNames({ stream: `FLOWEV_${suffix}`, subjectPrefix: `flow${suffix}.migrate.flow.v1` });
  const durable = `telemetry_${suffix}`;
  const schemas = { agent: withTestSchema("agent"), telemetry: withTestSchema("telemetry") };
  const shared = {
    // Agent and telemetry trust each other only under one mesh key.
    MESH_SECRET: newMeshSecret(),
    DATABASE_URL,
    NATS_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    USAGE_EVENTS_STREAM: usage.stream,
    USAGE_EVENTS_SUBJECT_PREFIX: usage.subjects.slice(0, -2),
    FLOW_EVENTS_STREAM: flow.stream,
    FLOW_EVENTS_SUBJECT_PREFIX: flow.subjects.slice(0, -2),
  };
  const ports = { tg: await freePort(), tm: await freePort(), ag: await freePort(), am: await freePort() };
  const telemetryProcess = await startService("telemetry", {
    env: {
      ...shared,
      DATABASE_SCHEMA: schemas.telemetry,
      GRPC_PORT: `${ports.tg}`,
      METRICS_PORT: `${ports.tm}`,
      TELEMETRY_DURABLE: durable,
      TELEMETRY_ACK_WAIT_MS: "2000",
    },
  });
  const agentProcess = await startService("agent", {
    env: {
      ...shared,
      DATABASE_SCHEMA: schemas.agent,
      GRPC_PORT: `${ports.ag}`,
      METRICS_PORT: `${ports.am}`,
      TELEMETRY_GRPC_TARGET: `dns:///127.0.0.1:${ports.tg}`,
      LLM_API_KEY: "test-key",
      ...agentEnv,
    },
  });
  const agent = createClient(AgentService, `dns:///127.0.0.1:${ports.ag}`, {
    credentials: meshCredentials(agentProcess.env, "test"),
    defaultTimeoutMs: 30_000,
  });
  const telemetry = createClient(TelemetryService, `dns:///127.0.0.1:${ports.tg}`, {
    credentials: meshCredentials(telemetryProcess.env, "test"),
  });
  const bus = await connectEvents({ servers: NATS_URL, name: "llm-test" });
  const telemetryDb = createDb<unknown>({ url: DATABASE_URL, schema: schemas.telemetry, name: "llm-test" });
  const text = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  return {
    agent: agent.client,
    telemetry: telemetry.client,
    agentMetrics: text(ports.am),
    telemetryMetrics: text(ports.tm),
    bus,
    usage,
    durable,
    telemetryDb,
    agentProcess,
    async stop() {
      agent.close();
      telemetry.close();
      await agentProcess.stop("SIGKILL");
      await telemetryProcess.stop("SIGKILL");
      for (const stream of [usage.stream, flow.stream]) await bus.jsm.streams.delete(stream).catch(() => false);
      await bus.close();
      for (const schema of Object.values(schemas)) {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(telemetryDb.db);
      }
      await telemetryDb.close();
    },
  };
}

/** The value of one Prometheus series in a /metrics text; 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** Exact USD cost as text for integer micro-dollar prices per million tokens (no floating point). */
export function exactCost(
  inputTokens: number,
  outputTokens: number,
  inputMicros: number,
  outputMicros: number,
): string {
  // tokens x (USD per million x 1e6) = USD x 1e12
  const picos = BigInt(inputTokens) * BigInt(inputMicros) + BigInt(outputTokens) * BigInt(outputMicros);
  const whole = picos / 10n ** 12n;
  const fraction = (picos % 10n ** 12n).toString().padStart(12, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
