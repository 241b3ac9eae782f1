/**
 * The gateway under infrastructure faults, with the whole mesh behind it on a private NATS
 * server (its own port and store directory, so it can be restarted): live event watchers (SSE
 * and Connect WatchFlow) across a NATS restart, and a SIGTERM while kept-alive requests are on
 * the wire. What a user notices is asserted: every event reaches every watcher exactly once, and
 * no request sent before the signal is reset.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createRedis } from "@migrate/cache";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { dropMeshState, freePortBase, type Mesh, startMesh } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { signDevToken } from "../src/auth/dev-token.ts";
import { readEvents, uploadForm } from "./support/discovery-mesh.ts";
import { freePort } from "./support/service-process.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
type Body = any;

const TERMINAL = new Set(["flow.completed", "flow.failed", "flow.cancelled"]);
const RESUME_WINDOW_MS = 4_000;
const DRAIN_MS = 1_500;
// The nameless column of each flow: a new name each time, since approving one teaches the
// learning service that name for the tenant.
const columns = new Map<string, string>();

/** A nats-server of our own, stopped and started again on the same port and store directory. */
class PrivateNats {
  readonly dir = mkdtempSync(join(tmpdir(), "gateway-faults-nats-"));
  private child: ChildProcess | undefined;
  readonly port: number;
  /** The monitoring port (`/connz` lists the connections by name). */
  readonly monitorPort: number;
  constructor(port: number, monitorPort: number) {
    this.port = port;
    this.monitorPort = monitorPort;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-m", String(this.monitorPort), "-sd", this.dir];
    this.child = spawn("/usr/sbin/nats-server", args, { stdio: "ignore" });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline) throw new Error("nats-server did not start");
      await sleep(50);
    }
  }

  /** SIGKILL is the crash after which the client library's own consumer recovery stalled. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let nats: PrivateNats;
let mesh: Mesh;
let tenant: string;
let token: string;

beforeAll(async () => {
  nats = new PrivateNats(await freePort(), await freePort());
  await nats.start();
  mesh = await startMesh({
    isolate: true,
    portBase: await freePortBase(),
    env: { NATS_URL: nats.url, LOG_LEVEL: "warn" },
    serviceEnv: {
      gateway: {
        SSE_HEARTBEAT_MS: "500",
        FLOW_EVENTS_RESUME_MS: String(RESUME_WINDOW_MS),
        SHUTDOWN_TIMEOUT_MS: "8000",
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      },
    },
  });
  tenant = `faults-${Math.random().toString(36).slice(2, 8)}`;
  token = await signDevToken({
    client: tenant,
    sub: "tester",
    roles: ["analyst"],
    secret: mesh.jwtSecret,
    expiresIn: "15m",
  });
});
afterAll(async () => {
  await mesh?.stop();
  if (mesh) await dropMeshState(mesh);
  await nats?.remove();
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${mesh.gatewayUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
}

/**
 * A flow that stops for its mapping review whatever the mapper learns: its name column has a
 * name nothing maps, so no column gives the assets their names. `approve` names it.
 */
async function flowAwaitingReview(): Promise<string> {
  const { inventoryCsv } = generateSample({ servers: 300, seed: 3 });
  const column = `Zq${Math.random().toString(36).slice(2, 6)}`;
  const created = await api("/v1/flows", {
    method: "POST",
    body: uploadForm(inventoryCsv.replace("Server Name", column)),
  });
  expect(created.status).toBe(201);
  const flowId: string = ((await created.json()) as Body).flow.id;
  columns.set(flowId, column);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { flow } = (await (await api(`/v1/flows/${flowId}`)).json()) as Body;
    if (flow.status === "awaiting_input") return flowId;
    if (Date.now() > deadline) throw new Error(`flow is ${flow.status}`);
    await sleep(200);
  }
}

interface Watcher {
  /** Event ids in the order received, over all connections. */
  ids: string[];
  /** Error events (SSE `event: error`, Connect errors), refused reconnections and early ends. */
  errors: string[];
  /** Resolves once the flow's terminal event arrived. */
  done: Promise<void>;
  /** Resolves once an event of this type arrived. */
  saw(type: string): Promise<void>;
}

function watcher(run: (record: (id: string, type: string) => void, w: Watcher) => Promise<void>): Watcher {
  const waiting = new Map<string, Array<() => void>>();
  const types = new Set<string>();
  const w: Watcher = {
    ids: [],
    errors: [],
    done: Promise.resolve(),
    saw: (type) =>
      types.has(type)
        ? Promise.resolve()
        : new Promise((resolve) => waiting.set(type, [...(waiting.get(type) ?? []), resolve])),
  };
  w.done = run((id, type) => {
    w.ids.push(id);
    types.add(type);
    for (const resolve of waiting.get(type) ?? []) resolve();
  }, w);
  return w;
}

/** An SSE client as a browser's EventSource behaves, reconnecting with Last-Event-ID until the flow ends. */
function sseWatcher(flowId: string, signal: AbortSignal): Watcher {
  return watcher(async (record, w) => {
    let last: string | undefined;
    for (;;) {
      const res = await api(`/v1/flows/${flowId}/events`, {
        headers: last ? { "last-event-id": last } : {},
        signal,
      });
      if (res.status !== 200) {
        w.errors.push(`reconnect answered ${res.status}`);
        await res.body?.cancel();
        await sleep(300);
        continue;
      }
      let ended = false;
      await readEvents(
        res,
        (event) => {
          if (event.event === "error") {
            w.errors.push(`event: error ${JSON.stringify(event.data)}`);
            return;
          }
          last = event.id;
          record(event.id, event.event);
          ended = TERMINAL.has(event.event);
        },
        () => ended,
      );
      if (ended) return;
      // As EventSource does after its `retry` delay.
      w.errors.push("stream ended before the flow did");
      await sleep(300);
    }
  });
}

/** A Connect WatchFlow client that calls again after an error, from the last event it saw. */
function connectWatcher(flowId: string, signal: AbortSignal): Watcher {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client = createClient(
    FlowsService,
    createConnectTransport({ baseUrl: mesh.gatewayUrl, httpVersion: "1.1", interceptors: [auth] }),
  );
  return watcher(async (record, w) => {
    let last = "";
    for (;;) {
      try {
        for await (const { event } of client.watchFlow({ flowId, afterEventId: last }, { signal })) {
          last = event?.eventId ?? "";
          record(last, event?.type ?? "");
          if (TERMINAL.has(event?.type ?? "")) return;
        }
        w.errors.push("stream ended before the flow did");
      } catch (error) {
        if (signal.aborted) throw error;
        const connectError = ConnectError.from(error);
        w.errors.push(`${Code[connectError.code]}: ${connectError.rawMessage}`);
        await sleep(300);
      }
    }
  });
}

/** Every event of the flow, read afresh from the start once it ended. */
async function allEventIds(flowId: string): Promise<string[]> {
  const res = await api(`/v1/flows/${flowId}/events`);
  const { events } = await readEvents(res);
  return events.map((event) => event.id);
}

async function approve(flowId: string): Promise<void> {
  const res = await api(`/v1/flows/${flowId}/mappings/approve`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ corrections: [{ source_field: columns.get(flowId), target_field: "asset_name" }] }),
  });
  expect(res.status).toBe(200);
}

describe("live event streams across a NATS restart", () => {
  it("resume on their own: SSE and WatchFlow watchers get every later event once, without an error", async () => {
    const flowId = await flowAwaitingReview();
    const signal = AbortSignal.timeout(25_000);
    const sse = sseWatcher(flowId, signal);
    const rpc = connectWatcher(flowId, signal);
    await Promise.all([sse.saw("flow.awaiting_input"), rpc.saw("flow.awaiting_input")]);

    await nats.stop("SIGKILL");
    await sleep(1_000);
    await nats.start();
    // The events of the rest of the flow are all published after the restart.
    await approve(flowId);

    await Promise.all([sse.done, rpc.done]);
    const all = await allEventIds(flowId);
    expect(all.length).toBeGreaterThan(12);
    expect(sse.ids).toEqual(all);
    expect(rpc.ids).toEqual(all);
    expect(sse.errors).toEqual([]);
    expect(rpc.errors).toEqual([]);
  }, 40_000);

  it("end with an error (SSE event: error, Connect unavailable) when NATS stays away past the resume window; resuming from the last event id loses nothing", async () => {
    const flowId = await flowAwaitingReview();
    const signal = AbortSignal.timeout(35_000);
    const sse = sseWatcher(flowId, signal);
    const rpc = connectWatcher(flowId, signal);
    await Promise.all([sse.saw("flow.awaiting_input"), rpc.saw("flow.awaiting_input")]);

    await nats.stop("SIGKILL");
    // Approved while NATS is down: its events wait in the flow service's outbox.
    await approve(flowId);
    await sleep(RESUME_WINDOW_MS + 3_000);
    await nats.start();

    await Promise.all([sse.done, rpc.done]);
    const all = await allEventIds(flowId);
    expect(sse.ids).toEqual(all);
    expect(rpc.ids).toEqual(all);
    expect(new Set(sse.ids).size).toBe(sse.ids.length);
    // Each stream ended with an error the client could act on, rather than going silent.
    expect(sse.errors[0]).toMatch(/^event: error .*"code":"UNAVAILABLE"/);
    expect(rpc.errors[0]).toMatch(/^Unavailable: /);
  }, 60_000);
});

describe("connection names", () => {
  it("name the gateway's NATS and Redis connections after its instance", async () => {
    const instance = `gateway-${mesh.services.gateway?.child.pid}`;
    const connz = (await (await fetch(`http://127.0.0.1:${nats.monitorPort}/connz?limit=1000`)).json()) as {
      connections: Array<{ name?: string }>;
    };
    expect(connz.connections.map((connection) => connection.name)).toContain(instance);
    const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      expect(String(await redis.client("LIST"))).toContain(` name=${instance} `);
    } finally {
      redis.disconnect();
    }
  });
});

describe("SIGTERM with kept-alive requests on the wire", () => {
  it("answers every request sent before the signal, reports not ready while draining, then stops", async () => {
    // A client's connection pool, smaller than its burst as pools are: requests wait for a
    // kept-alive connection and go out on it the moment the previous answer is read.
    const agent = new Agent({ keepAlive: true, maxSockets: 5 });
    const get = (path: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(
          `${mesh.gatewayUrl}${path}`,
          { agent, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            res.resume().on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          },
        );
        req.on("error", reject).end();
      });
    try {
      const warm = await Promise.all(Array.from({ length: 5 }, () => get("/v1/flows?limit=1")));
      expect(warm.map((answer) => answer.status)).toEqual(Array(5).fill(200));

      const gateway = mesh.services.gateway;
      if (!gateway) throw new Error("no gateway");
      const inFlight = Promise.allSettled(Array.from({ length: 50 }, () => get("/v1/flows?limit=1")));
      await sleep(30);
      const started = Date.now();
      const exited = gateway.stop("SIGTERM");

      const answers = await inFlight;
      const failures = answers.filter((answer) => answer.status === "rejected");
      expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);
      const fulfilled = answers.map(
        (answer) => (answer as PromiseFulfilledResult<{ status: number; reused: boolean }>).value,
      );
      expect(fulfilled.map((answer) => answer.status)).toEqual(Array(50).fill(200));
      expect(fulfilled.some((answer) => answer.reused)).toBe(true);

      // Still draining: not ready, yet answering, and telling clients to go away.
      const readyz = await fetch(`${mesh.gatewayUrl}/readyz`);
      expect(readyz.status).toBe(503);
      expect(readyz.headers.get("connection")).toBe("close");
      expect(((await readyz.json()) as Body).checks.gateway).toBe("draining");

      expect(await exited).toBe(0);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(took).toBeLessThan(8_000);
      await expect(fetch(`${mesh.gatewayUrl}/healthz`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
