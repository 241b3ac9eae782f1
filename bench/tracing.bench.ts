/**
 * What tracing costs. Four meshes run side by side: tracing off (no endpoint: no loader hook,
 * no SDK), tracing exporting every span (100 % sampling, http/protobuf) to an OTLP receiver on
 * loopback, tracing at a production ratio (10 % of new traces), and tracing with nothing sampled
 * (`always_off`: the instrumentations' own per-call work, the floor no exporter can go under).
 * All serve the same authenticated `GET /v1/flows/{id}` (gateway → flow → PostgreSQL) to N
 * parallel keep-alive loops; short measurement windows rotate between the meshes so a drift of
 * the machine (other load on it) weighs on all alike. Throughput is the issue's figure; CPU per request (from
 * /proc) is the steadier one on a shared machine. Also reported: the start-up of the flow and
 * gateway services with tracing off and on.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dropMeshState, freePortBase, type Mesh } from "@migrate/launcher";
import { type OtlpReceiver, startOtlpReceiver } from "@migrate/telemetry/testing";
import { startBenchMesh } from "./bench-mesh.ts";
import { type BenchResult, percentile } from "./bench-result.ts";

const CONCURRENCY = Number(process.env.BENCH_TRACING_CONCURRENCY ?? 16);
const WINDOW_SECONDS = Number(process.env.BENCH_TRACING_WINDOW_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 8);
const TARGET_COST = 0.1;
// The production-like ratio measured beside 100 %.
const SAMPLED_ARG = process.env.BENCH_TRACING_SAMPLED_ARG ?? "0.1";

type Label = "off" | "full" | "sampled" | "unsampled";

interface Target {
  label: Label;
  mesh: Mesh;
  url: string;
  token: string;
  requests: number;
  seconds: number;
  latencies: number[];
  /** CPU time the five services used during the measured windows (Linux /proc), in ms. */
  cpuMs: number;
}

export async function run(): Promise<BenchResult[]> {
  const receiver = await startOtlpReceiver({ decode: false });
  const targets: Target[] = [];
  try {
    for (const label of ["off", "full", "sampled", "unsampled"] as const) targets.push(await prepare(label, receiver));
    const [off, full, sampled, unsampled] = targets as [Target, Target, Target, Target];
    // Warm all (JIT, pools, keep-alive connections), then rotate short measured windows.
    for (const target of targets) await measure(target, 2, false);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < targets.length; i++)
        await measure(targets[(round + i) % targets.length] as Target, WINDOW_SECONDS, true);
    }
    const rps = (target: Target) => target.requests / target.seconds;
    const cpu = (target: Target) => target.cpuMs / target.requests;
    const baseline = { label: "tracing off, same run", value: rps(off) };
    const scenario = `gateway GET /v1/flows/{id}, ${CONCURRENCY} concurrent`;
    const results: BenchResult[] = [];
    for (const [target, sampling] of [
      [full, "100 %"],
      [sampled, `${Number(SAMPLED_ARG) * 100} %`],
      [unsampled, "0 % (always_off: instrumentations only)"],
    ] as const) {
      const cost = 1 - rps(target) / rps(off);
      const judged = target === full;
      results.push(
        {
          scenario: `${scenario}, tracing at ${sampling} sampling`,
          metric: "throughput",
          value: rps(target),
          unit: "req/s",
          baseline,
          ...(judged ? { target: `≥ ${(1 - TARGET_COST) * 100} % of untraced`, meetsTarget: cost <= TARGET_COST } : {}),
        },
        {
          scenario: `${scenario}, tracing at ${sampling} sampling`,
          metric: "throughput cost of tracing",
          value: cost * 100,
          unit: "%",
          ...(judged ? { target: `≤ ${TARGET_COST * 100} %`, meetsTarget: cost <= TARGET_COST } : {}),
        },
        {
          scenario: `${scenario}, tracing at ${sampling} sampling`,
          metric: "CPU per request, five services",
          value: cpu(target),
          unit: "ms",
          baseline: { label: "tracing off, same run", value: cpu(off) },
        },
        {
          scenario: `${scenario}, tracing at ${sampling} sampling`,
          metric: "p99 latency",
          value: percentile(target.latencies, 99),
          unit: "ms",
          baseline: { label: "tracing off, same run", value: percentile(off.latencies, 99) },
        },
      );
    }
    for (const [service, startup] of Object.entries(await startupSeconds(off.mesh, receiver))) {
      results.push({
        scenario: `${service} service start-up (spawn to its ready log line, median of 3)`,
        metric: "tracing on (in-thread hook on the instrumented modules only)",
        value: startup.on,
        unit: "s",
        baseline: { label: "tracing off", value: startup.off },
      });
    }
    // Evidence that the traced meshes really exported, not performance figures: no baseline.
    const exported = `${scenario}, tracing at 100 % and ${Number(SAMPLED_ARG) * 100} % sampling`;
    results.push(
      { scenario: exported, metric: "OTLP export requests received", value: receiver.stats.requests, unit: "requests" },
      { scenario: exported, metric: "OTLP bytes received", value: receiver.stats.bytes / 1e6, unit: "MB" },
    );
    return results;
  } finally {
    for (const target of targets) await target.mesh.stop();
    await receiver.close();
    for (const target of targets) await dropMeshState(target.mesh);
  }
}

async function prepare(label: Label, receiver: OtlpReceiver): Promise<Target> {
  const { mesh, token } = await startBenchMesh({
    env:
      label === "off"
        ? {}
        : label === "unsampled"
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: "always_off" }
          : {
              OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
              OTEL_TRACES_SAMPLER_ARG: label === "full" ? "1" : SAMPLED_ARG,
            },
    serviceEnv: { gateway: { RATE_LIMIT_PER_MINUTE: "100000000" } },
    client: `bench_tracing_${randomBytes(3).toString("hex")}`,
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
  return { label, mesh, url, token, requests: 0, seconds: 0, latencies: [], cpuMs: 0 };
}

/**
 * A service started on its own, again and again, with tracing off and on: spawn to its "ready"
 * log line (written once it listens), so neither polling nor gRPC reconnect backoff blurs it.
 * The flow service runs against the off mesh's migrated schema with its engine off; the gateway
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
    cwd: fileURLToPath(new URL("../", import.meta.url)),
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

/** N loops of sequential keep-alive GETs for `seconds`; counted only when `record`. */
async function measure(target: Target, seconds: number, record: boolean): Promise<void> {
  const headers = { authorization: `Bearer ${target.token}` };
  const cpuBefore = meshCpuMs(target.mesh);
  const started = performance.now();
  const ends = started + seconds * 1000;
  let requests = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < ends) {
        const sent = performance.now();
        const response = await fetch(target.url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
        requests++;
        if (record) target.latencies.push(performance.now() - sent);
      }
    }),
  );
  if (!record) return;
  target.requests += requests;
  target.seconds += (performance.now() - started) / 1000;
  target.cpuMs += meshCpuMs(target.mesh) - cpuBefore;
}

/**
 * User + system CPU time of the mesh's processes so far, from /proc (0 where there is none).
 * Unlike throughput on a shared machine, CPU per request does not move with other load.
 */
function meshCpuMs(mesh: Mesh): number {
  let ticks = 0;
  for (const service of Object.values(mesh.services)) {
    const path = `/proc/${service?.child.pid}/stat`;
    if (!service?.child.pid || !existsSync(path)) continue;
    const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10;
}
