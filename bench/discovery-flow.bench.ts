/**
 * The main job at scale: a generated inventory of 10,000 (and 100,000) servers with its
 * connections file goes through the public REST API from upload to completed, the mapping review
 * answered by the client as soon as it is asked. Baseline, same run: loading the same CSV into
 * PostgreSQL directly with psql's \copy. Targets are multiples of that same-run baseline (issue
 * 19: 10,000 servers within 25 times it, 100,000 within 60 times), so they hold on a slower or
 * busier machine alike. Also reports the services' CPU per flow and each one's peak resident memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropMeshState } from "@migrate/launcher";
import { generateSample } from "../scripts/generate-sample.ts";
import { startBenchMesh } from "./bench-mesh.ts";
import { type BenchResult, percentile } from "./bench-result.ts";
import { copyBaselineSeconds } from "./copy-baseline.ts";

const SIZES = (process.env.BENCH_FLOW_SIZES ?? "10000,100000").split(",").map(Number);
/** Upload to completed, as a multiple of the same run's \copy of the same CSV. */
const TARGET_TIMES_COPY: Record<number, number> = { 10000: 25, 100000: 60 };

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-"));
  // The bench polls the flow every 50 ms: the per-tenant rate limit is raised so it measures the flow, not the limiter.
  const { mesh, token } = await startBenchMesh({ serviceEnv: { gateway: { RATE_LIMIT_PER_MINUTE: "1000000" } } });
  try {
    // Samples and baselines first: no client-side pause of seconds between the measured flows.
    const prepared = SIZES.map((servers) => {
      const sample = generateSample({ servers, seed: 42 });
      const inventoryPath = join(dir, `inventory-${servers}.csv`);
      writeFileSync(inventoryPath, sample.inventoryCsv);
      return { servers, sample, baseline: copyBaselineSeconds(inventoryPath) };
    });
    for (const [index, { servers, sample, baseline }] of prepared.entries()) {
      // The first flow after start-up also pays for the services' JIT warm-up: reported on its
      // own. Then the size on warm services, as a running deployment has them: the median of
      // three for the smaller size (a single run swings by a few tenths of a second here).
      const runs =
        index === 0
          ? [["first flow after start-up", 1] as const, ["warm services", 3] as const]
          : [["warm services", 1] as const];
      for (const [run, repeat] of runs) {
        const seconds: number[] = [];
        const cpuSeconds: number[] = [];
        for (let i = 0; i < repeat; i++) {
          const before = meshCpuSeconds(mesh.services);
          seconds.push(await runFlow(mesh.gatewayUrl, token, sample.inventoryCsv, sample.connectionsCsv));
          cpuSeconds.push(meshCpuSeconds(mesh.services) - before);
        }
        const flowSeconds = percentile(seconds, 50);
        const times = TARGET_TIMES_COPY[servers];
        const warm = run === "warm services" && times !== undefined;
        const scenario = `discovery flow, ${servers.toLocaleString("en")} servers, ${run}${repeat > 1 ? ` (median of ${repeat})` : ""}`;
        const copy = { label: "psql \\copy of the same CSV", value: baseline };
        results.push({
          scenario,
          metric: "upload to completed (review answered)",
          value: flowSeconds,
          unit: "s",
          baseline: copy,
          target: warm ? `≤ ${times} × \\copy (${(times * baseline).toFixed(2)} s)` : undefined,
          meetsTarget: warm ? flowSeconds <= times * baseline : undefined,
        });
        if (warm) {
          results.push({
            scenario,
            metric: "upload to completed ÷ \\copy",
            value: flowSeconds / baseline,
            unit: "x",
            baseline: { label: "psql \\copy", value: 1 },
            target: `≤ ${times} x`,
            meetsTarget: flowSeconds / baseline <= times,
          });
          results.push({
            scenario,
            metric: "CPU of the five services per flow",
            value: percentile(cpuSeconds, 50),
            unit: "s",
          });
        }
      }
    }
    for (const [name, service] of Object.entries(mesh.services)) {
      const peakMb = peakRssMb(service?.child.pid);
      results.push({
        scenario: "discovery flow, peak memory",
        metric: `${name} peak RSS`,
        value: peakMb,
        unit: "MB",
        target: "< 300 MB",
        meetsTarget: peakMb < 300,
      });
    }
  } finally {
    await mesh.stop();
    await dropMeshState(mesh);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function runFlow(gatewayUrl: string, token: string, inventory: string, connections: string): Promise<number> {
  const auth = { authorization: `Bearer ${token}` };
  const form = new FormData();
  form.set("name", "bench");
  form.set("file", new Blob([inventory], { type: "text/csv" }), "inventory.csv");
  form.set("connections", new Blob([connections], { type: "text/csv" }), "connections.csv");
  const started = performance.now();
  const created = await fetch(`${gatewayUrl}/v1/flows`, { method: "POST", headers: auth, body: form });
  if (!created.ok) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  const { flow } = (await created.json()) as { flow: { id: string } };
  for (;;) {
    const response = await fetch(`${gatewayUrl}/v1/flows/${flow.id}`, { headers: auth });
    if (!response.ok) throw new Error(`reading the flow failed: ${response.status} ${await response.text()}`);
    const { flow: current } = (await response.json()) as { flow: { status: string; status_message: string } };
    if (current.status === "completed") return (performance.now() - started) / 1000;
    if (current.status === "failed" || current.status === "cancelled")
      throw new Error(`flow ${current.status}: ${current.status_message}`);
    if (current.status === "awaiting_input") {
      await fetch(`${gatewayUrl}/v1/flows/${flow.id}/mappings/approve`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ corrections: [] }),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CPU time (user and system) the mesh's service processes have used so far, in seconds. */
function meshCpuSeconds(services: Record<string, { child: { pid?: number } } | undefined>): number {
  let ticks = 0;
  for (const service of Object.values(services)) {
    const pid = service?.child.pid;
    if (!pid) continue;
    // /proc/<pid>/stat: fields 14 and 15 (utime, stime), counted after the command's closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: what /proc counts CPU time in on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Peak resident set size (VmHWM) of a live process, in MB. */
function peakRssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}
