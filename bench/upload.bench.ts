/**
 * A 50 MB inventory, just under the gateway's upload limit, through `POST /v1/flows`: the
 * gateway streams it to the flow service, which parses and stores it in batches, so neither
 * should hold the file. Reports the upload's time beside a same-run `psql \copy` of the same
 * CSV, and the gateway's and flow service's peak memory while it streams (sampled every 20 ms;
 * the flow engine is off, so only the upload is measured).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropMeshState } from "@migrate/launcher";
import { generateSample } from "../scripts/generate-sample.ts";
import { startBenchMesh } from "./bench-mesh.ts";
import type { BenchResult } from "./bench-result.ts";
import { copyBaselineSeconds } from "./copy-baseline.ts";

const TARGET_BYTES = 49 * 1024 * 1024;
const MEMORY_TARGET_MB = 300;

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-upload-"));
  // The generator's 50,000 servers, their rows repeated until the file is just under the limit
  // (the flow engine is off: repeated servers are only bytes to stream here).
  const [header, ...rows] = generateSample({ servers: 50_000, seed: 7 }).inventoryCsv.trimEnd().split("\n");
  const body = `${rows.join("\n")}\n`;
  const copies = Math.floor((TARGET_BYTES - (header?.length ?? 0)) / Buffer.byteLength(body));
  const csv = `${header}\n${body.repeat(copies)}`;
  const path = join(dir, "inventory.csv");
  writeFileSync(path, csv);
  const baseline = copyBaselineSeconds(path);
  const { mesh, token } = await startBenchMesh({ serviceEnv: { flow: { FLOW_CONCURRENCY: "0" } } });
  try {
    const pids = { gateway: mesh.services.gateway?.child.pid, flow: mesh.services.flow?.child.pid };
    const before = { gateway: rssMb(pids.gateway), flow: rssMb(pids.flow) };
    const peak = { ...before };
    const sampler = setInterval(() => {
      peak.gateway = Math.max(peak.gateway, rssMb(pids.gateway));
      peak.flow = Math.max(peak.flow, rssMb(pids.flow));
    }, 20);
    const form = new FormData();
    form.set("name", "50 MB");
    form.set("file", new Blob([csv], { type: "text/csv" }), "inventory.csv");
    const started = performance.now();
    const response = await fetch(`${mesh.gatewayUrl}/v1/flows`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    const { flow } = (await response.json()) as { flow: { raw_record_count: string } };
    const scenario = `upload of a ${(csv.length / 1024 / 1024).toFixed(1)} MB inventory (${Number(flow.raw_record_count).toLocaleString("en")} servers)`;
    const memory = (service: "gateway" | "flow"): BenchResult => ({
      scenario,
      metric: `${service} peak RSS while streaming`,
      value: peak[service],
      unit: "MB",
      baseline: { label: "before the upload", value: before[service] },
      target: `< ${MEMORY_TARGET_MB} MB`,
      meetsTarget: peak[service] < MEMORY_TARGET_MB,
    });
    return [
      {
        scenario,
        metric: "POST /v1/flows to 201 (every record stored)",
        value: seconds,
        unit: "s",
        baseline: { label: "psql \\copy of the same CSV", value: baseline },
      },
      memory("gateway"),
      memory("flow"),
    ];
  } finally {
    await mesh.stop();
    await dropMeshState(mesh);
    rmSync(dir, { recursive: true, force: true });
  }
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}
