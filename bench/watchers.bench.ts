/**
 * Live progress at scale: 2,000 concurrent watchers of 50 running flows through the gateway,
 * half over SSE (`GET /v1/flows/{id}/events`), half over Connect `WatchFlow`, 40 per flow. The
 * 50 flows are created together (the flow engine runs them all at once) and every watcher
 * connects right after, so each gets its flow's history and then its live events through the
 * hand-over. Beside each figure, a baseline from the same run:
 * - connect time: the same 2,000 requests as plain `GET /v1/flows/{id}` (the token check, rate
 *   limit and tenant-scoped flow lookup every watch starts with), all at once on the same mesh;
 * - event latency (from the event's `occurred_at`, written in the transaction that commits it,
 *   to the client): a plain NATS subscriber on the same subjects in this process, the floor;
 * - delivery: each watcher's events against its flow's events read back from the stream in
 *   stream order afterwards (missing, duplicates, out of order);
 * - gateway RSS and CPU: the gateway idle before the watchers came.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { connectEvents, type EventBus, type FlowEventEnvelope } from "@migrate/events";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { dropMeshState, type Mesh } from "@migrate/launcher";
import { DeliverPolicy } from "@nats-io/jetstream";
import { generateSample } from "../scripts/generate-sample.ts";
import { startBenchMesh } from "./bench-mesh.ts";
import { type BenchResult, percentile } from "./bench-result.ts";

const FLOWS = Number(process.env.BENCH_WATCH_FLOWS ?? 50);
const PER_FLOW = Number(process.env.BENCH_WATCH_PER_FLOW ?? 40);
// Small flows in small batches: as many events per flow as a big one (progress every 10 % of a
// phase), without the engine's work taking both cores away from what is measured.
const SERVERS = Number(process.env.BENCH_WATCH_SERVERS ?? 200);
const BATCH_SIZE = process.env.BENCH_WATCH_BATCH_SIZE ?? "20";
const TIMEOUT_MS = Number(process.env.BENCH_WATCH_TIMEOUT_MS ?? 240_000);
const TERMINAL = new Set(["flow.completed", "flow.failed", "flow.cancelled"]);
const UNLIMITED = { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_UPLOADS_PER_MINUTE: "100000000" };

interface Received {
  id: string;
  type: string;
  occurredAt: number;
  at: number;
}

interface Watch {
  flowId: string;
  kind: "sse" | "connect";
  sentAt: number;
  /** When the first event (the history's `flow.created`) arrived. */
  connectedAt?: number;
  events: Received[];
  error?: string;
}

export async function run(): Promise<BenchResult[]> {
  const watchers = FLOWS * PER_FLOW;
  const { mesh, token } = await startBenchMesh({
    serviceEnv: {
      gateway: UNLIMITED,
      // Every flow runs at once, in small batches: a flow publishes progress every 10 % of a phase.
      flow: { FLOW_CONCURRENCY: String(Math.min(FLOWS, 64)), FLOW_BATCH_SIZE: BATCH_SIZE },
    },
    client: `bench_watch_${randomBytes(3).toString("hex")}`,
  });
  const gatewayPid = mesh.services.gateway?.child.pid ?? 0;
  const bus = await connectEvents({ servers: mesh.env.gateway.NATS_URL ?? "", name: "bench-watchers" });
  const prefix = mesh.env.gateway.FLOW_EVENTS_SUBJECT_PREFIX ?? "migrate.flow.v1";
  const stream = mesh.env.gateway.FLOW_EVENTS_STREAM ?? "FLOW_EVENTS";
  // Connections enough for every stream at once (the default agent would queue some behind others).
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    // The latency floor: every flow event as NATS hands it to a plain subscriber.
    const floor: number[] = [];
    const floorCount = new Map<string, number>();
    /** When the plain subscriber got each event: "published", for the gateway's own latency. */
    const published = new Map<string, number>();
    const subscription = bus.nc.subscribe(`${prefix}.>`, {
      callback: (_error, msg) => {
        const at = Date.now();
        const envelope = msg.json<FlowEventEnvelope>();
        floor.push(at - Date.parse(envelope.occurred_at));
        published.set(envelope.event_id, at);
        floorCount.set(envelope.flow_id, (floorCount.get(envelope.flow_id) ?? 0) + 1);
      },
    });
    await bus.nc.flush();

    // Warm the gateway (JIT, gRPC channel, one watch) so the figures are not its start-up.
    const warm = await createFlows(mesh, token, 1, 50);
    await Promise.all(warm.map((flowId) => watchSse(mesh, token, agent, flowId)));
    const idleRss = rssMb(gatewayPid);

    // Baseline for connect time: the same requests as plain GETs, all at once.
    const getStarted = performance.now();
    const gets = await Promise.all(
      Array.from({ length: watchers }, () => getFlow(mesh, token, agent, warm[0] as string)),
    );
    const getSeconds = (performance.now() - getStarted) / 1000;
    if (gets.some((status) => status !== 200)) throw new Error(`GET answered ${gets.find((s) => s !== 200)}`);

    const flowIds = await createFlows(mesh, token, FLOWS, SERVERS);
    const rss = sampleRss(gatewayPid);
    const cpuBefore = cpuMs(gatewayPid);
    const benchCpu = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    const watches: Watch[] = [];
    const done: Array<Promise<void>> = [];
    for (const flowId of flowIds) {
      for (let i = 0; i < PER_FLOW; i++) {
        const watch: Watch = { flowId, kind: i % 2 === 0 ? "sse" : "connect", sentAt: Date.now(), events: [] };
        watches.push(watch);
        done.push(watch.kind === "sse" ? sse(mesh, token, agent, watch) : connect(mesh, token, watch));
      }
    }
    const timeout = setTimeout(() => {
      for (const watch of watches) if (!watch.events.some((e) => TERMINAL.has(e.type))) watch.error ??= "timed out";
    }, TIMEOUT_MS);
    await Promise.race([Promise.all(done), new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 1_000))]);
    clearTimeout(timeout);
    const wallSeconds = (performance.now() - started) / 1000;
    const gatewayCpuMs = cpuMs(gatewayPid) - cpuBefore;
    const benchCpuUsage = process.cpuUsage(benchCpu);
    const clientCpuMs = (benchCpuUsage.user + benchCpuUsage.system) / 1000;
    loopDelay.disable();
    const peakRss = rss.stop();
    subscription.unsubscribe();

    // What each flow published, in stream order.
    const truth = await streamOrder(bus, stream, prefix);
    let expected = 0;
    let delivered = 0;
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    const latencies: number[] = [];
    const hops: number[] = [];
    const connectMs: number[] = [];
    for (const watch of watches) {
      const order = truth.get(watch.flowId) ?? [];
      expected += order.length;
      delivered += watch.events.length;
      const position = new Map(order.map((id, index) => [id, index]));
      const seen = new Set<string>();
      let last = -1;
      for (const event of watch.events) {
        if (seen.has(event.id)) duplicates++;
        seen.add(event.id);
        const at = position.get(event.id) ?? -1;
        if (at < last) outOfOrder++;
        last = Math.max(last, at);
        // Live events only: those that happened after the watcher asked.
        if (event.occurredAt >= watch.sentAt) latencies.push(event.at - event.occurredAt);
        // Published after the watcher was connected: the gateway's own part of the way.
        const publishedAt = published.get(event.id);
        if (publishedAt !== undefined && watch.connectedAt !== undefined && publishedAt >= watch.connectedAt)
          hops.push(event.at - publishedAt);
      }
      missing += order.filter((id) => !seen.has(id)).length;
      if (watch.connectedAt) connectMs.push(watch.connectedAt - watch.sentAt);
    }
    const unseen = flowIds.flatMap((flowId) => (truth.get(flowId) ?? []).filter((id) => !published.has(id)));
    if (unseen.length > 0)
      console.error(`[bench] the plain subscriber missed ${unseen.length} events: ${unseen.slice(0, 3)}`);
    const errors = watches.filter((watch) => watch.error);
    if (errors.length > 0) console.error(`[bench] ${errors.length} watchers failed, e.g. ${errors[0]?.error}`);
    const connectedAll = connectMs.length === watches.length ? Math.max(...connectMs) / 1000 : Number.NaN;
    const floorExpected = flowIds.reduce((sum, flowId) => sum + (truth.get(flowId)?.length ?? 0), 0);
    const floorDelivered = flowIds.reduce((sum, flowId) => sum + (floorCount.get(flowId) ?? 0), 0);
    const scenario = `${watchers} live watchers (SSE and WatchFlow, ${PER_FLOW} per flow) of ${FLOWS} running ${SERVERS}-server flows`;
    const p = (values: number[], q: number) => percentile(values, q);
    return [
      {
        scenario,
        metric: `time until all ${watchers} got their first event`,
        value: connectedAll,
        unit: "s",
        baseline: { label: `${watchers} concurrent GET /v1/flows/{id}`, value: getSeconds },
        target: "≤ 5 s",
        meetsTarget: connectedAll <= 5,
      },
      {
        scenario,
        metric: "connect time p99",
        value: p(connectMs, 99),
        unit: "ms",
      },
      {
        scenario,
        metric: "events delivered (all watchers)",
        value: delivered,
        unit: "events",
        baseline: { label: "expected: each flow's events × its watchers", value: expected },
        target: "= expected",
        meetsTarget: delivered === expected && missing === 0,
      },
      {
        scenario,
        metric: "missing + duplicate + out-of-order events",
        value: missing + duplicates + outOfOrder,
        unit: "events",
        target: "0",
        meetsTarget: missing + duplicates + outOfOrder === 0 && errors.length === 0,
      },
      {
        scenario,
        metric: "event latency p50 (occurred_at to client)",
        value: p(latencies, 50),
        unit: "ms",
        baseline: { label: "plain NATS subscriber", value: p(floor, 50) },
      },
      {
        scenario,
        metric: "event latency p99 (occurred_at to client)",
        value: p(latencies, 99),
        unit: "ms",
        baseline: { label: "plain NATS subscriber", value: p(floor, 99) },
      },
      {
        scenario,
        metric: "event latency p50, publish (plain subscriber got it) to client, connected watchers",
        value: p(hops, 50),
        unit: "ms",
      },
      {
        scenario,
        metric: "event latency p99, publish (plain subscriber got it) to client, connected watchers",
        value: p(hops, 99),
        unit: "ms",
        target: "≤ 100 ms",
        meetsTarget: p(hops, 99) <= 100,
      },
      {
        scenario,
        metric: "events seen by the plain NATS subscriber",
        value: floorDelivered,
        unit: "events",
        baseline: { label: "in the stream", value: floorExpected },
      },
      {
        scenario,
        metric: "gateway peak RSS",
        value: peakRss,
        unit: "MB",
        baseline: { label: "idle gateway, same run", value: idleRss },
        target: "< 300 MB",
        meetsTarget: peakRss < 300,
      },
      {
        scenario,
        metric: "gateway CPU while watched",
        value: (gatewayCpuMs / 1000 / wallSeconds) * 100,
        unit: "% of a core",
      },
      {
        scenario,
        metric: "load generator (this process: 2,000 clients) CPU while watched",
        value: (clientCpuMs / 1000 / wallSeconds) * 100,
        unit: "% of a core",
      },
      {
        scenario,
        metric: "load generator event-loop delay p99 (adds to every latency above)",
        value: loopDelay.percentile(99) / 1e6,
        unit: "ms",
      },
      {
        scenario,
        metric: "gateway CPU per delivered event (connects included)",
        value: (gatewayCpuMs * 1000) / Math.max(1, delivered),
        unit: "µs",
      },
      {
        scenario,
        metric: "gateway CPU per watcher (its connect and all its events)",
        value: gatewayCpuMs / watchers,
        unit: "ms",
      },
    ];
  } finally {
    agent.destroy();
    await bus.close();
    await mesh.stop();
    await dropMeshState(mesh);
  }
}

/** `count` flows of `servers` servers, created at once; their ids once all are stored. */
async function createFlows(mesh: Mesh, token: string, count: number, servers: number): Promise<string[]> {
  const { inventoryCsv } = generateSample({ servers, seed: 7 });
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const form = new FormData();
      form.set("name", `watched ${index}`);
      form.set("file", new Blob([inventoryCsv], { type: "text/csv" }), "inventory.csv");
      const res = await fetch(`${mesh.gatewayUrl}/v1/flows`, {
        method: "POST",
        body: form,
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { flow: { id: string } }).flow.id;
    }),
  );
}

function getFlow(mesh: Mesh, token: string, agent: Agent, flowId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${mesh.gatewayUrl}/v1/flows/${flowId}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) =>
      res.resume().on("end", () => resolve(res.statusCode ?? 0)),
    )
      .on("error", reject)
      .end();
  });
}

async function watchSse(mesh: Mesh, token: string, agent: Agent, flowId: string): Promise<void> {
  const watch: Watch = { flowId, kind: "sse", sentAt: Date.now(), events: [] };
  await sse(mesh, token, agent, watch);
  if (watch.error) throw new Error(watch.error);
}

/** An SSE watcher reading to its flow's terminal event (`event: error` or an early end is an error). */
function sse(mesh: Mesh, token: string, agent: Agent, watch: Watch): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const req = request(
      `${mesh.gatewayUrl}/v1/flows/${watch.flowId}/events`,
      { agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) {
          watch.error = `answered ${res.statusCode}`;
          res.resume();
          resolve();
          return;
        }
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.indexOf("\ndata: ");
            if (data < 0) continue;
            const type = frame.slice(frame.indexOf("event: ") + 7, frame.indexOf("\n", frame.indexOf("event: ")));
            const envelope = JSON.parse(frame.slice(data + 7)) as FlowEventEnvelope;
            if (type === "error") {
              watch.error = `event: error ${JSON.stringify(envelope)}`;
              continue;
            }
            record(watch, envelope.event_id, envelope.type, envelope.occurred_at);
            if (TERMINAL.has(envelope.type)) {
              finished = true;
              req.destroy();
              resolve();
              return;
            }
          }
        });
        res.on("end", () => {
          if (!finished) watch.error ??= "ended before the flow did";
          resolve();
        });
        res.on("error", () => resolve());
      },
    );
    req.on("error", (error) => {
      if (!finished) watch.error ??= String(error);
      resolve();
    });
    req.end();
  });
}

const connectClients = new WeakMap<Mesh, ReturnType<typeof createClient<typeof FlowsService>>>();

/** A Connect WatchFlow watcher reading to its flow's terminal event. */
async function connect(mesh: Mesh, token: string, watch: Watch): Promise<void> {
  let client = connectClients.get(mesh);
  if (!client) {
    const auth: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${token}`);
      return next(req);
    };
    client = createClient(
      FlowsService,
      createConnectTransport({ baseUrl: mesh.gatewayUrl, httpVersion: "1.1", interceptors: [auth] }),
    );
    connectClients.set(mesh, client);
  }
  try {
    for await (const { event } of client.watchFlow({ flowId: watch.flowId })) {
      if (!event) continue;
      record(watch, event.eventId, event.type, event.occurredAt);
      if (TERMINAL.has(event.type)) return;
    }
    watch.error = "ended before the flow did";
  } catch (error) {
    watch.error = String(error);
  }
}

function record(watch: Watch, id: string, type: string, occurredAt: string): void {
  const at = Date.now();
  watch.connectedAt ??= at;
  watch.events.push({ id, type, occurredAt: Date.parse(occurredAt), at });
}

/** Every flow's event ids in stream order, read back with an ordered consumer. */
async function streamOrder(bus: EventBus, stream: string, prefix: string): Promise<Map<string, string[]>> {
  const consumer = await bus.js.consumers.get(stream, {
    filter_subjects: `${prefix}.>`,
    deliver_policy: DeliverPolicy.All,
  });
  const byFlow = new Map<string, string[]>();
  let pending = (await consumer.info(true)).num_pending;
  const messages = await consumer.consume();
  try {
    for await (const msg of messages) {
      const envelope = msg.json<FlowEventEnvelope>();
      byFlow.set(envelope.flow_id, [...(byFlow.get(envelope.flow_id) ?? []), envelope.event_id]);
      if (--pending <= 0) break;
    }
  } finally {
    messages.stop();
    await consumer.delete().catch(() => {});
  }
  return byFlow;
}

function rssMb(pid: number): number {
  const path = `/proc/${pid}/status`;
  if (!existsSync(path)) return Number.NaN;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(path, "utf8"))?.[1] ?? Number.NaN);
  return kb / 1024;
}

function sampleRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

/** User + system CPU time of a process so far, from /proc, in ms. */
function cpuMs(pid: number): number {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return Number.NaN;
  const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command; clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
