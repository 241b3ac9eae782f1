/**
 * What one API read costs, and what tracing adds to it. The same authenticated
 * `GET /v1/flows/{id}` (gateway → flow → PostgreSQL) is served by four meshes side by side:
 * tracing off (no endpoint: no loader hook, no SDK), tracing at a production ratio
 * (parent-based 10 % of new traces), tracing with nothing sampled (`always_off`: the
 * instrumentations' own per-call work) and tracing exporting every span (100 %, http/protobuf)
 * to an OTLP receiver on loopback. The baseline is a bare `node:http` server (bench/bare-server.ts)
 * that verifies the same kind of token and reads the flow's row by primary key: the practical
 * limit of this machine. A second baseline puts one bare grpc-js hop between the two halves of
 * that server (bench/bare-grpc-pair.ts): the floor for any design whose read crosses gRPC, as
 * the mesh's does. Load comes from autocannon in its own process (64 keep-alive
 * connections); short measured windows rotate between the six targets so a drift of the machine
 * weighs on all alike. CPU per request is read from /proc for the serving processes only (the
 * five services, or the bare processes), the load generator and the OTLP receiver excluded.
 * Also reported: the start-up of the flow and gateway services with tracing off and on.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { dropMeshState, freePortBase, type Mesh } from "@migrate/launcher";
import { type OtlpReceiver, startOtlpReceiver } from "@migrate/telemetry/testing";
import { startBenchMesh } from "./bench-mesh.ts";
import { type BenchResult, percentile } from "./bench-result.ts";

const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 64);
const WINDOW_SECONDS = Number(process.env.BENCH_API_WINDOW_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 5);
// The production-like ratio.
const SAMPLED_ARG = process.env.BENCH_API_SAMPLED_ARG ?? "0.1";
// BENCH_API_TRACING=0 measures only the untraced mesh against the bare server (a quick look).
const WITH_TRACING = process.env.BENCH_API_TRACING !== "0";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const AUTOCANNON = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url));

type Label = "bare" | "pair" | "off" | "sampled" | "unsampled" | "full";

interface Target {
  label: Label;
  url: string;
  token: string;
  /** The processes that serve the request, whose CPU is counted. */
  pids: () => number[];
  requests: number;
  seconds: number;
  /** One p50 and p99 per measured window (autocannon's histogram). */
  p50s: number[];
  p99s: number[];
  /** CPU time the serving processes used during the measured windows (Linux /proc), in ms. */
  cpuMs: number;
}

export async function run(): Promise<BenchResult[]> {
  const receiver = await startOtlpReceiver({ decode: false });
  const meshes: Mesh[] = [];
  const bares: ChildProcess[] = [];
  try {
    const targets: Target[] = [];
    const labels = WITH_TRACING ? (["off", "sampled", "unsampled", "full"] as const) : (["off"] as const);
    for (const label of labels) {
      const { mesh, target } = await prepareMesh(label, receiver);
      meshes.push(mesh);
      targets.push(target);
    }
    const off = targets[0] as Target;
    const started = await startBare(meshes[0] as Mesh, off);
    bares.push(started.child);
    const floor = await startPair(meshes[0] as Mesh, off);
    bares.push(...floor.children);
    targets.unshift(started.target, floor.target);
    // Warm all (JIT, pools, keep-alive connections), then rotate short measured windows.
    for (const target of targets) await measure(target, 2, false);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < targets.length; i++)
        await measure(targets[(round + i) % targets.length] as Target, WINDOW_SECONDS, true);
    }
    const [baseline, pair, , sampled, unsampled, full] = targets as [Target, Target, Target, Target, Target, Target];
    const rps = (target: Target) => target.requests / target.seconds;
    const cpu = (target: Target) => target.cpuMs / target.requests;
    const p99 = (target: Target) => percentile(target.p99s, 50);
    const p50 = (target: Target) => percentile(target.p50s, 50);
    const scenario = `gateway GET /v1/flows/{id}, ${CONNECTIONS} concurrent`;
    const bareLabel = "bare node:http + jose + pg, same run";
    const results: BenchResult[] = [
      {
        scenario: `${scenario}, tracing off`,
        metric: "throughput",
        value: rps(off),
        unit: "req/s",
        baseline: { label: bareLabel, value: rps(baseline) },
        target: "≥ 50 % of the bare server",
        meetsTarget: rps(off) >= rps(baseline) / 2,
      },
      {
        scenario: `${scenario}, tracing off`,
        metric: "p99 latency (median of the windows)",
        value: p99(off),
        unit: "ms",
        baseline: { label: bareLabel, value: p99(baseline) },
        target: "≤ 2 × the bare server",
        meetsTarget: p99(off) <= 2 * p99(baseline),
      },
      {
        scenario: `${scenario}, tracing off`,
        metric: "p50 latency (median of the windows)",
        value: p50(off),
        unit: "ms",
        baseline: { label: bareLabel, value: p50(baseline) },
      },
      {
        scenario: `${scenario}, tracing off`,
        metric: "Node CPU per request (the five services; bare: its one process)",
        value: cpu(off),
        unit: "ms",
        baseline: { label: bareLabel, value: cpu(baseline) },
        target: "≤ 0.35 ms",
        meetsTarget: cpu(off) <= 0.35,
      },
    ];
    // The floor of one gRPC hop: how much of the gap to the bare server is the transport itself.
    const pairLabel = "bare node:http + jose → grpc-js → pg (two processes, JSON bodies), same run";
    for (const [metric, value, floor, unit] of [
      ["throughput", rps(off), rps(pair), "req/s"],
      ["p99 latency (median of the windows)", p99(off), p99(pair), "ms"],
      ["Node CPU per request (the five services; pair: its two processes)", cpu(off), cpu(pair), "ms"],
    ] as const) {
      results.push({
        scenario: `${scenario}, tracing off, against one bare gRPC hop`,
        metric,
        value,
        unit,
        baseline: { label: pairLabel, value: floor },
      });
    }
    if (!WITH_TRACING) return results;
    const tracingBaseline = { label: "tracing off, same run", value: rps(off) };
    for (const [target, sampling, limit] of [
      [sampled, `parent-based ${Number(SAMPLED_ARG) * 100} %`, 0.05],
      [unsampled, "0 % (always_off: instrumentations only)", 0.03],
      [full, "100 %", 0.15],
    ] as const) {
      const cost = 1 - rps(target) / rps(off);
      const name = `${scenario}, tracing at ${sampling} sampling`;
      results.push(
        { scenario: name, metric: "throughput", value: rps(target), unit: "req/s", baseline: tracingBaseline },
        {
          scenario: name,
          metric: "throughput cost of tracing",
          value: cost * 100,
          unit: "%",
          target: `≤ ${limit * 100} %`,
          meetsTarget: cost <= limit,
        },
        {
          scenario: name,
          metric: "CPU per request, five services",
          value: cpu(target),
          unit: "ms",
          baseline: { label: "tracing off, same run", value: cpu(off) },
        },
        {
          scenario: name,
          metric: "p99 latency (median of the windows)",
          value: p99(target),
          unit: "ms",
          baseline: { label: "tracing off, same run", value: p99(off) },
        },
      );
    }
    // Whether the traced meshes' exporters kept up: the share of traced requests whose spans
    // reached the receiver. Counted after the timed windows, each mesh alone, so the receiver's
    // decoding never weighs on a measured window.
    receiver.setDecode(true);
    for (const [target, mesh, ratio] of [
      [sampled, meshes[1], Number(SAMPLED_ARG)],
      [full, meshes[3], 1],
    ] as const) {
      const delivered = await deliveredShare(target, mesh as Mesh, ratio, receiver);
      results.push({
        scenario: `${scenario}, tracing at ${ratio * 100} % sampling, ${WINDOW_SECONDS} s alone`,
        metric: "traced requests whose spans reached the collector",
        value: delivered * 100,
        unit: "%",
      });
    }
    receiver.setDecode(false);
    for (const [service, startup] of Object.entries(await startupSeconds(meshes[0] as Mesh, receiver))) {
      results.push({
        scenario: `${service} service start-up (spawn to its ready log line, median of 3)`,
        metric: "tracing on (in-thread hook on the instrumented modules only)",
        value: startup.on,
        unit: "s",
        baseline: { label: "tracing off", value: startup.off },
      });
    }
    // Evidence that the traced meshes really exported, not performance figures: no baseline.
    results.push({
      scenario: `${scenario}, tracing at 100 % and ${Number(SAMPLED_ARG) * 100} % sampling`,
      metric: "OTLP export requests received",
      value: receiver.stats.requests,
      unit: "requests",
    });
    return results;
  } finally {
    for (const child of bares) child.kill("SIGTERM");
    for (const mesh of meshes) await mesh.stop();
    await receiver.close();
    for (const mesh of meshes) await dropMeshState(mesh);
  }
}

async function prepareMesh(
  label: Exclude<Label, "bare" | "pair">,
  receiver: OtlpReceiver,
): Promise<{ mesh: Mesh; target: Target }> {
  const tracing: Record<Exclude<Label, "bare" | "pair">, Record<string, string>> = {
    off: {},
    sampled: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER_ARG: SAMPLED_ARG },
    unsampled: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: "always_off" },
    full: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER_ARG: "1" },
  };
  const { mesh, token } = await startBenchMesh({
    env: tracing[label],
    serviceEnv: { gateway: { RATE_LIMIT_PER_MINUTE: "100000000" } },
    client: `bench_api_${randomBytes(3).toString("hex")}`,
  });
  const form = new FormData();
  form.set("name", "bench");
  form.set("file", new Blob(["Server Name,OS\nsrv-1,RHEL 8\nsrv-2,Windows 2019\n"], { type: "text/csv" }), "inv.csv");
  const created = await fetch(`${mesh.gatewayUrl}/v1/flows`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  if (!created.ok) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  const { flow } = (await created.json()) as { flow: { id: string } };
  const url = `${mesh.gatewayUrl}/v1/flows/${flow.id}`;
  // Measure a settled flow, so the engine's own work never shares a window with the load.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const { flow: current } = (await response.json()) as { flow: { status: string } };
    if (["completed", "awaiting_input", "failed"].includes(current.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pids = () => Object.values(mesh.services).flatMap((service) => (service?.child.pid ? [service.child.pid] : []));
  return { mesh, target: { ...emptyTarget(label, url, token), pids } };
}

/** The bare server on the off mesh's flow schema, serving the same flow to the same token. */
async function startBare(mesh: Mesh, off: Target): Promise<{ child: ChildProcess; target: Target }> {
  const port = (await freePortBase()) + 1;
  const child = spawn(process.execPath, ["bench/bare-server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: `${port}`,
      JWT_SECRET: mesh.jwtSecret,
      DATABASE_URL: mesh.env.flow.DATABASE_URL,
      DATABASE_SCHEMA: mesh.env.flow.DATABASE_SCHEMA,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await listening(child, "bare server");
  const url = `http://127.0.0.1:${port}/v1/flows/${off.url.split("/").at(-1)}`;
  return { child, target: { ...emptyTarget("bare", url, off.token), pids: () => (child.pid ? [child.pid] : []) } };
}

/** The bare gRPC pair (bench/bare-grpc-pair.ts) on the same schema, flow and token. */
async function startPair(mesh: Mesh, off: Target): Promise<{ children: ChildProcess[]; target: Target }> {
  const port = (await freePortBase()) + 2;
  const children: ChildProcess[] = [];
  for (const role of ["store", "front"]) {
    const child = spawn(process.execPath, ["bench/bare-grpc-pair.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ROLE: role,
        PORT: `${port}`,
        GRPC_PORT: `${port + 1}`,
        JWT_SECRET: mesh.jwtSecret,
        DATABASE_URL: mesh.env.flow.DATABASE_URL,
        DATABASE_SCHEMA: mesh.env.flow.DATABASE_SCHEMA,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    await listening(child, `bare gRPC ${role}`);
  }
  const url = `http://127.0.0.1:${port}/v1/flows/${off.url.split("/").at(-1)}`;
  const pids = () => children.flatMap((child) => (child.pid ? [child.pid] : []));
  return { children, target: { ...emptyTarget("pair", url, off.token), pids } };
}

function listening(child: ChildProcess, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
    child.once("exit", (code) => reject(new Error(`${name} exited (${code})`)));
  });
}

function emptyTarget(label: Label, url: string, token: string): Omit<Target, "pids"> {
  return { label, url, token, requests: 0, seconds: 0, p50s: [], p99s: [], cpuMs: 0 };
}

/**
 * Spawn to "ready" log line (written once it listens) of a service started on its own, again
 * and again, with tracing off and on; neither polling nor gRPC reconnect backoff blurs it. The
 * flow service runs against the off mesh's migrated schema with its engine off; the gateway
 * against the off mesh's services.
 */
async function startupSeconds(
  mesh: Mesh,
  receiver: OtlpReceiver,
): Promise<Record<string, { off: number; on: number }>> {
  const base = await freePortBase();
  const services = {
    flow: {
      env: { ...mesh.env.flow, GRPC_PORT: `${base + 1}`, METRICS_PORT: `${base + 11}`, FLOW_CONCURRENCY: "0" },
      ready: "flow service started",
    },
    gateway: {
      env: { ...mesh.env.gateway, HTTP_PORT: `${base}`, METRICS_PORT: `${base + 10}` },
      ready: "gateway listening",
    },
  };
  const figures: Record<string, { off: number; on: number }> = {};
  for (const [name, { env, ready }] of Object.entries(services)) {
    figures[name] = { off: 0, on: 0 };
    for (const mode of ["off", "on"] as const) {
      const seconds: number[] = [];
      for (let round = 0; round < 3; round++) {
        const tracing: Record<string, string> = mode === "on" ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } : {};
        seconds.push(await timeToReady(name, { ...env, ...tracing }, ready));
      }
      (figures[name] as { off: number; on: number })[mode] = percentile(seconds, 50);
    }
  }
  return figures;
}

async function timeToReady(service: string, env: Record<string, string>, ready: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "@migrate/telemetry/preload", `services/${service}/src/main.ts`], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${service} not ready in 30 s`)), 30_000);
      child.stdout.on("data", (chunk: Buffer) => {
        if (!chunk.toString().includes(ready)) return;
        clearTimeout(timer);
        resolve((performance.now() - started) / 1000);
      });
      child.once("exit", (code) => reject(new Error(`${service} exited (${code}) before it was ready`)));
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

/**
 * One window of load on a traced mesh, then the flow service's GetFlow server spans that arrive
 * until the exporters have been quiet for longer than their 5 s schedule, against the requests
 * that window sampled (`ratio` of them, for a new trace each).
 */
async function deliveredShare(target: Target, mesh: Mesh, ratio: number, receiver: OtlpReceiver): Promise<number> {
  const flowPid = mesh.services.flow?.child.pid;
  const isFlowRead = (span: OtlpReceiver["spans"][number]) =>
    span.kind === 2 && span.name.endsWith("/GetFlow") && Number(span.resource["process.pid"]) === flowPid;
  await quiet(receiver);
  const before = receiver.spans.filter(isFlowRead).length;
  const requests = await measure(target, WINDOW_SECONDS, false);
  await quiet(receiver);
  const received = receiver.spans.filter(isFlowRead).length - before;
  return received / (requests * ratio);
}

/** Waits until no export has arrived for 7 s (the batch processor exports at least every 5 s). */
async function quiet(receiver: OtlpReceiver): Promise<void> {
  let seen = -1;
  while (seen !== receiver.stats.requests) {
    seen = receiver.stats.requests;
    await new Promise((resolve) => setTimeout(resolve, 7_000));
  }
}

/**
 * One autocannon run of `seconds` on the target, counted only when `record`. Returns the requests
 * sent, those still in flight when the window closed included (the server handles them too).
 */
async function measure(target: Target, seconds: number, record: boolean): Promise<number> {
  const cpuBefore = cpuMs(target.pids());
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      AUTOCANNON,
      "--json",
      "--connections",
      `${CONNECTIONS}`,
      "--duration",
      `${seconds}`,
      "--headers",
      `authorization=Bearer ${target.token}`,
      target.url,
    ],
    { maxBuffer: 16 * 2 ** 20 },
  );
  const cpuAfter = cpuMs(target.pids());
  const result = JSON.parse(stdout) as {
    requests: { total: number; sent: number };
    duration: number;
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${target.label}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  if (!record) return result.requests.sent;
  target.requests += result.requests.total;
  target.seconds += result.duration;
  target.p50s.push(result.latency.p50);
  target.p99s.push(result.latency.p99);
  target.cpuMs += cpuAfter - cpuBefore;
  return result.requests.sent;
}

/**
 * User + system CPU time of `pids` so far, from /proc (0 where there is none). Unlike throughput
 * on a shared machine, CPU per request does not move with other load.
 */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const path = `/proc/${pid}/stat`;
    if (!existsSync(path)) continue;
    const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10;
}
