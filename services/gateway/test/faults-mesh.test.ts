/**
 * Faults an operator meets, against a whole mesh with two flow and two agent replicas: every
 * connection of the services to PostgreSQL terminated again and again mid-flow (a failover, a
 * DBA), SIGKILL of one flow and one agent replica plus learning, telemetry and the gateway
 * mid-flow, and Redis killed. Each 10,000-server flow must end with the report of a clean run,
 * each event once in the timeline and once at a live watcher that reconnects with Last-Event-ID,
 * and no process may exit on its own. Part of `npm run test:faults`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createDb, sql } from "@migrate/db";
import {
  dropMeshState,
  freePortBase,
  type Mesh,
  type ServiceProcess,
  startMesh,
  startService,
} from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { signDevToken } from "../src/auth/dev-token.ts";
import { readEvents, type StreamedEvent } from "./support/discovery-mesh.ts";
import { freePort } from "./support/service-process.ts";

const SERVERS = 10_000;
const sample = generateSample({ servers: SERVERS, seed: 11 });
const run = randomBytes(3).toString("hex");
const instance = (name: string) => `faults-${run}-${name}`;
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let mesh: Mesh;
let replicas: { flow: ServiceProcess; agent: ServiceProcess };
let redis: ChildProcess;
let redisPort: number;
let token: string;
let clean: Record<string, unknown>;
const admin = createDb({ url: DATABASE_URL, schema: "public", name: `faults-${run}-admin` });

function startRedis(): ChildProcess {
  return spawn(
    "redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${mesh.gatewayUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
}

async function createFlow(name: string): Promise<string> {
  const res = await api(`/v1/flows?name=${name}`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: sample.inventoryCsv,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { flow: { id: string } }).flow.id;
}

/**
 * Watches a flow's events to its end as a client would: when the stream breaks (the gateway was
 * killed, NATS went away), it reconnects with Last-Event-ID until the terminal event arrives.
 */
async function watchToEnd(flowId: string, deadlineMs = 240_000): Promise<StreamedEvent[]> {
  const seen: StreamedEvent[] = [];
  const deadline = Date.now() + deadlineMs;
  const terminal = (event: StreamedEvent) => ["flow.completed", "flow.failed"].includes(event.event);
  while (Date.now() < deadline && !seen.some(terminal)) {
    const last = seen.at(-1)?.id;
    const res = await api(`/v1/flows/${flowId}/events`, { headers: last ? { "last-event-id": last } : {} }).catch(
      () => undefined,
    );
    if (res?.status !== 200) {
      await res?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 300));
      continue;
    }
    await readEvents(res, (event) => void seen.push(event), terminal).catch(() => undefined);
  }
  return seen;
}

/** The report of a finished flow, without what differs between two runs (ids, times). */
async function report(flowId: string): Promise<Record<string, unknown>> {
  const body = (await (await api(`/v1/flows/${flowId}/report`)).json()) as Record<string, unknown>;
  const { flow, data_quality: quality, ...rest } = body;
  expect((flow as { status: string }).status).toBe("completed");
  // A mean of 10,000 row scores: the database may add them in another order from run to run.
  return { ...rest, data_quality: Number((quality as number).toFixed(9)) };
}

/** How many calls the gateway let through uncounted because Redis was unreachable. */
async function bypassed(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${mesh.ports.metrics.gateway}/metrics`)).text();
  return Number(/^gateway_rate_limit_bypassed_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
}

async function expectEachEventOnce(flowId: string, watched: StreamedEvent[]): Promise<void> {
  const ids = watched.map((event) => event.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(watched.at(-1)?.event).toBe("flow.completed");
  const phases = watched.filter((event) => event.event === "phase.completed").map((event) => event.data.payload.phase);
  expect(new Set(phases).size).toBe(phases.length);
  // Telemetry records every event exactly once, across its own kills.
  let timeline: { entries: { event_id: string }[] } = { entries: [] };
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await api(`/v1/flows/${flowId}/timeline`);
    if (res.status === 200) timeline = (await res.json()) as typeof timeline;
    if (timeline.entries.length >= watched.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const recorded = timeline.entries.map((entry) => entry.event_id);
  expect(new Set(recorded).size).toBe(recorded.length);
  expect([...recorded].sort()).toEqual([...ids].sort());
}

beforeAll(async () => {
  redisPort = await freePort();
  redis = startRedis();
  const base = await freePortBase();
  const extra = { flow: await freePort(), agent: await freePort() };
  // Clients spread calls over both replicas (grpc-js round robin over an ipv4: address list).
  const agents = `ipv4:127.0.0.1:${base + 2},127.0.0.1:${extra.agent}`;
  const flows = `ipv4:127.0.0.1:${base + 1},127.0.0.1:${extra.flow}`;
  mesh = await startMesh({
    isolate: true,
    portBase: base,
    env: { LOG_LEVEL: "warn" },
    serviceEnv: {
      learning: { SERVICE_INSTANCE: instance("learning") },
      agent: { SERVICE_INSTANCE: instance("agent-1") },
      // An event delivered to a telemetry process that is then killed comes again after the ack
      // wait (30 s by default): shortened so the timeline completes within the test's bound.
      telemetry: { SERVICE_INSTANCE: instance("telemetry"), TELEMETRY_ACK_WAIT_MS: "3000" },
      // A short lease: the surviving replica takes over a killed one's flow within seconds.
      flow: { SERVICE_INSTANCE: instance("flow-1"), AGENT_GRPC_TARGET: agents, FLOW_LEASE_MS: "3000" },
      gateway: {
        SERVICE_INSTANCE: instance("gateway"),
        FLOW_GRPC_TARGET: flows,
        AGENT_GRPC_TARGET: agents,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      },
    },
  });
  const second = async (name: "flow" | "agent", port: number) =>
    startService(name, {
      env: {
        ...mesh.env[name],
        GRPC_PORT: String(port),
        METRICS_PORT: String(await freePort()),
        SERVICE_INSTANCE: instance(`${name}-2`),
      },
    });
  replicas = { agent: await second("agent", extra.agent), flow: await second("flow", extra.flow) };
  token = await signDevToken({
    client: `faults-${run}`,
    sub: "ops",
    roles: ["analyst"],
    secret: mesh.jwtSecret,
    expiresIn: "1h",
  });
  // The clean run every faulted run must equal.
  const flowId = await createFlow("clean");
  await watchToEnd(flowId);
  clean = await report(flowId);
}, 300_000);

afterAll(async () => {
  await replicas?.flow.stop("SIGKILL");
  await replicas?.agent.stop("SIGKILL");
  await mesh?.stop();
  if (mesh) await dropMeshState(mesh);
  redis?.kill("SIGKILL");
  await admin.close();
});

describe("faults mid-flow", () => {
  it("survives every database connection of the mesh terminated again and again", async () => {
    const pids = Object.values(mesh.services).map((service) => service?.child.pid);
    const flowId = await createFlow("terminated");
    const watched = watchToEnd(flowId);
    let terminated = 0;
    const started = Date.now();
    // Every 400 ms for 4 s: the connections of both flow replicas, both agents, learning and telemetry.
    while (Date.now() - started < 4_000) {
      const result = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where application_name like ${`%faults-${run}-%`} and application_name not like '%-admin'`.execute(admin.db);
      terminated += result.rows[0]?.n ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(terminated).toBeGreaterThan(10);
    const events = await watched;
    expect(await report(flowId)).toEqual(clean);
    await expectEachEventOnce(flowId, events);
    // No process went down: the same pids still run.
    expect(Object.values(mesh.services).map((service) => service?.child.exitCode)).toEqual(pids.map(() => null));
    expect(replicas.flow.child.exitCode).toBeNull();
    expect(replicas.agent.child.exitCode).toBeNull();
  }, 300_000);

  it("completes when one flow and one agent replica, learning, telemetry and the gateway are killed mid-flow", async () => {
    const flowId = await createFlow("killed");
    const watched = watchToEnd(flowId);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const victims = [mesh.services.flow, mesh.services.agent, mesh.services.learning, mesh.services.telemetry];
    for (const victim of victims) await victim?.stop("SIGKILL");
    await mesh.services.gateway?.stop("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The survivors (flow-2, agent-2) go on alone; the killed ones come back, as an orchestrator would.
    for (const victim of [...victims, mesh.services.gateway]) await victim?.restart();
    const events = await watched;
    expect(await report(flowId)).toEqual(clean);
    await expectEachEventOnce(flowId, events);
  }, 300_000);

  it("answers and completes flows while Redis is killed, and limits again once it is back", async () => {
    redis.kill("SIGKILL");
    const flowId = await createFlow("no-redis");
    const events = await watchToEnd(flowId);
    expect((await api("/v1/flows")).status).toBe(200);
    expect(await report(flowId)).toEqual(clean);
    await expectEachEventOnce(flowId, events);
    expect(await bypassed()).toBeGreaterThan(0);
    redis = startRedis();
    // Back in Redis's hands: calls are counted again, no longer let through uncounted.
    let settled = false;
    for (let attempt = 0; attempt < 100 && !settled; attempt++) {
      const before = await bypassed();
      expect((await api("/v1/flows")).status).toBe(200);
      settled = (await bypassed()) === before;
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(settled).toBe(true);
    expect(mesh.services.gateway?.child.exitCode).toBeNull();
  }, 300_000);
});
