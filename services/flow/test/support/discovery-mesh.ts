import { randomBytes } from "node:crypto";
import { createDb, type Database, sql } from "@migrate/db";
import type { FlowEventEnvelope } from "@migrate/events";
import { connectEvents, type EventBus, ensureStream, type FlowEventNames, flowEventNames } from "@migrate/events";
import { type Flow, FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { type ClientHandle, createClient, type TenantContext } from "@migrate/grpc";
import {
  freePortBase,
  meshCredentials,
  meshEnvironment,
  meshPorts,
  type ServiceProcess,
  startService,
} from "@migrate/launcher";
import type { FlowDatabase } from "../../src/db/flow-database.ts";

export type FlowClient = ClientHandle<(typeof FlowService)["method"]>["client"];

/** Real learning, agent and flow processes on their own ports, schemas and event stream. */
export interface DiscoveryMesh {
  services: { learning: ServiceProcess; agent: ServiceProcess; flow: ServiceProcess };
  env: { learning: Record<string, string>; agent: Record<string, string>; flow: Record<string, string> };
  names: FlowEventNames;
  /** The flow service's schema, for assertions on what it stored. */
  database: Database<FlowDatabase>;
  bus: EventBus;
  flows: FlowClient;
  /** Every event of one flow on the stream, in order. */
  events(tenant: TenantContext, flowId: string): Promise<FlowEventEnvelope[]>;
  /** Polls GetFlow until `done` holds. */
  waitForFlow(tenant: TenantContext, flowId: string, done: (flow: Flow) => boolean, timeoutMs?: number): Promise<Flow>;
  stop(): Promise<void>;
}

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function startDiscoveryMesh(
  options: { flowEnv?: Record<string, string>; agentEnv?: Record<string, string> } = {},
): Promise<DiscoveryMesh> {
  const ports = meshPorts(await freePortBase());
  const suffix = `_${randomBytes(4).toString("hex")}`;
  const all = meshEnvironment(ports, {
    suffix,
    jwtSecret: randomBytes(16).toString("hex"),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", DATABASE_URL },
  });
  const env: DiscoveryMesh["env"] = {
    learning: all.learning,
    agent: { ...all.agent, ...options.agentEnv },
    flow: { ...all.flow, SHUTDOWN_TIMEOUT_MS: "8000", ...options.flowEnv },
  };
  const names = flowEventNames({
    stream: env.flow.FLOW_EVENTS_STREAM,
    subjectPrefix: env.flow.FLOW_EVENTS_SUBJECT_PREFIX,
  });
  const bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "discovery-test" });
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
  const started: ServiceProcess[] = [];
  try {
    for (const name of ["learning", "agent", "flow"] as const)
      started.push(await startService(name, { env: env[name] }));
  } catch (error) {
    await Promise.all(started.map((s) => s.stop("SIGKILL")));
    throw error;
  }
  const [learning, agent, flow] = started as [ServiceProcess, ServiceProcess, ServiceProcess];
  const database = createDb<FlowDatabase>({ url: DATABASE_URL, schema: env.flow.DATABASE_SCHEMA ?? "", name: "test" });
  const handle = createClient(FlowService, `dns:///127.0.0.1:${ports.grpc.flow}`, {
    credentials: meshCredentials(env.flow, "test"),
    defaultTimeoutMs: 60_000,
  });

  const events = async (tenant: TenantContext, flowId: string) => {
    const filter = names.flowFilter(tenant.clientAccountId, flowId);
    const info = await bus.jsm.streams.info(names.stream, { subjects_filter: filter });
    const expected = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
    const found: FlowEventEnvelope[] = [];
    if (expected === 0) return found;
    const consumer = await bus.js.consumers.get(names.stream, { filter_subjects: filter });
    const messages = await consumer.fetch({ max_messages: expected, expires: 5_000 });
    for await (const message of messages) {
      found.push(message.json<FlowEventEnvelope>());
      if (found.length === expected) break;
    }
    return found;
  };

  return {
    services: { learning, agent, flow },
    env,
    names,
    database,
    bus,
    flows: handle.client,
    events,
    waitForFlow: async (tenant, flowId, done, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: Flow | undefined;
      for (;;) {
        try {
          last = (await handle.client.getFlow({ flowId }, { tenant, timeoutMs: 5_000 })).flow;
          if (last && done(last)) return last;
        } catch {
          // The flow service may be restarting in the test; keep polling.
        }
        if (Date.now() > deadline) {
          throw new Error(`flow ${flowId} did not reach the expected state; last: ${JSON.stringify(last, replacer)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      handle.close();
      for (const service of [flow, agent, learning]) await service.stop("SIGTERM");
      for (const name of ["flow", "agent", "learning"] as const) {
        const schema = env[name].DATABASE_SCHEMA ?? "";
        if (schema.endsWith(suffix)) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      }
      await database.close();
      await bus.jsm.streams.delete(names.stream).catch(() => {});
      await bus.close();
    },
  };
}

function replacer(_key: string, value: unknown) {
  return typeof value === "bigint" ? Number(value) : value;
}
