/**
 * The platform's load tests at ten times their size, all through the gateway, each beside a
 * baseline measured in the same run:
 * 1. 1,000 concurrent `POST /v1/flows` (multipart, a 100-row inventory, each with its own
 *    Idempotency-Key), beside 100 concurrent (the original size) of another tenant on the same
 *    mesh; the flow engine runs as deployed (it starts working the new flows meanwhile);
 * 2. the same 1,000 retried with their keys: each answers the flow it created, and the tenant's
 *    list (paged through the API) holds exactly 1,000 flows;
 * 3. 5,000 flow records in a realistic mix of statuses, then `GET /v1/flows?status=running` at 8
 *    concurrent, beside the very same query run straight against PostgreSQL from this process;
 * 4. 2,000 concurrent `POST /v1/learning/corrections` (one correction each), beside 200 concurrent.
 * Scenarios 3 and 4 share a second mesh whose flow engine is off, so nothing else runs meanwhile.
 * The 5,000 flows are created through the API; only their statuses are then set with SQL (the
 * engine, which is what moves a flow through its statuses, is off there).
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createDb, sql } from "@migrate/db";
import { normalizeHeader } from "@migrate/domain";
import type { TenantContext } from "@migrate/grpc";
import { dropMeshState, type Mesh } from "@migrate/launcher";
import { generateSample, prng } from "../scripts/generate-sample.ts";
import type { FlowDatabase } from "../services/flow/src/db/flow-database.ts";
import { listFlows } from "../services/flow/src/flows/flow-queries.ts";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";
import { startBenchMesh } from "./bench-mesh.ts";
import { type BenchResult, percentile } from "./bench-result.ts";
import { distinctHeaders } from "./learning-headers.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CREATIONS = Number(process.env.BENCH_LOAD_CREATIONS ?? 1_000);
const RECORDS = Number(process.env.BENCH_LOAD_RECORDS ?? 5_000);
const CORRECTIONS = Number(process.env.BENCH_LOAD_CORRECTIONS ?? 2_000);
const LIST_CONCURRENCY = 8;
const LIST_REQUESTS = Number(process.env.BENCH_LOAD_LIST_REQUESTS ?? 2_000);
// Only some scenarios, while working on one: BENCH_LOAD_ONLY=create,list,learn
const ONLY = (process.env.BENCH_LOAD_ONLY ?? "create,list,learn").split(",");
const UNLIMITED = { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_UPLOADS_PER_MINUTE: "100000000" };

// A realistic estate of flows: most done, a few of each other status (about 2 % running).
const STATUS_MIX: Array<[status: string, share: number]> = [
  ["completed", 0.72],
  ["failed", 0.07],
  ["cancelled", 0.05],
  ["awaiting_input", 0.06],
  ["paused", 0.03],
  ["pending", 0.05],
  ["running", 0.02],
];

interface Timed {
  status: number;
  ms: number;
  body: string;
  replayed: boolean;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (ONLY.includes("create")) results.push(...(await creations()));
  if (ONLY.includes("list") || ONLY.includes("learn")) {
    const { mesh, token } = await startBenchMesh({
      serviceEnv: { gateway: UNLIMITED, flow: { FLOW_CONCURRENCY: "0" } },
      client: `bench_load_${randomBytes(3).toString("hex")}`,
    });
    try {
      if (ONLY.includes("list")) results.push(...(await statusList(mesh, token)));
      if (ONLY.includes("learn")) results.push(...(await corrections(mesh, token)));
    } finally {
      await mesh.stop();
      await dropMeshState(mesh);
    }
  }
  return results;
}

/** Scenarios 1 and 2. */
async function creations(): Promise<BenchResult[]> {
  const { mesh } = await startBenchMesh({ serviceEnv: { gateway: UNLIMITED } });
  try {
    const token = (client: string) =>
      signDevToken({ client, sub: "bench", roles: ["analyst"], secret: mesh.jwtSecret, expiresIn: "1h" });
    const baseToken = await token("bench_load_base");
    const loadToken = await token("bench_load_ten");
    const csv = generateSample({ servers: 100, seed: 19 }).inventoryCsv;
    const create = (bearer: string, key: string) => () => {
      const form = new FormData();
      form.set("name", key);
      form.set("file", new Blob([csv], { type: "text/csv" }), "inventory.csv");
      return timed(`${mesh.gatewayUrl}/v1/flows`, {
        method: "POST",
        body: form,
        headers: { authorization: `Bearer ${bearer}`, "idempotency-key": key },
      });
    };
    const run = randomBytes(3).toString("hex");
    // Warm the path (JIT, pools, connections) with a few creations of the baseline's tenant.
    await Promise.all(Array.from({ length: 10 }, (_, i) => create(baseToken, `warm-${run}-${i}`)()));

    const base = await burst(Array.from({ length: CREATIONS / 10 }, (_, i) => create(baseToken, `b-${run}-${i}`)));
    const keys = Array.from({ length: CREATIONS }, (_, i) => `t-${run}-${i}`);
    const measured = await meshCpu(mesh, () => burst(keys.map((key) => create(loadToken, key))));
    const ten = measured.result;
    const retry = await burst(keys.map((key) => create(loadToken, key)));

    const created = ten.calls.filter((c) => c.status === 201);
    const ids = ten.calls.map((c) => (c.status === 201 ? flowId(c.body) : ""));
    const sameIds = retry.calls.filter((c, i) => c.status === 200 && c.replayed && flowId(c.body) === ids[i]).length;
    const listed = await listAll(mesh.gatewayUrl, loadToken);
    const failures = [...ten.calls, ...retry.calls].filter((c) => c.status !== 201 && c.status !== 200);
    if (failures.length) {
      console.error(
        `[platform-load] ${failures.length} failed creations, e.g. ${failures[0]?.status} ${failures[0]?.body.slice(0, 300)}`,
      );
    }
    const scenario = `${CREATIONS.toLocaleString("en")} concurrent POST /v1/flows (multipart, 100-row inventory)`;
    const baseline = (value: number) => ({ label: `${(CREATIONS / 10).toLocaleString("en")} concurrent`, value });
    const retryScenario = `the same ${CREATIONS.toLocaleString("en")} retried concurrently with their Idempotency-Keys`;
    return [
      {
        scenario,
        metric: "created (201)",
        value: created.length,
        unit: "flows",
        baseline: baseline(base.calls.filter((c) => c.status === 201).length),
        target: `all ${CREATIONS.toLocaleString("en")}`,
        meetsTarget: created.length === CREATIONS,
      },
      {
        scenario,
        metric: "all created in",
        value: ten.totalMs / 1000,
        unit: "s",
        baseline: baseline(base.totalMs / 1000),
        target: "≤ 5 s",
        meetsTarget: created.length === CREATIONS && ten.totalMs <= 5_000,
      },
      { scenario, metric: "p50 latency", value: ten.p50, unit: "ms", baseline: baseline(base.p50) },
      { scenario, metric: "p99 latency", value: ten.p99, unit: "ms", baseline: baseline(base.p99) },
      {
        scenario,
        metric: "CPU per creation, five services (engine working meanwhile)",
        value: measured.servicesMs / CREATIONS,
        unit: "ms",
      },
      {
        scenario,
        metric: "CPU per creation, the services' PostgreSQL backends",
        value: measured.databaseMs / CREATIONS,
        unit: "ms",
      },
      {
        scenario: retryScenario,
        metric: "replays answering the flow first created (200, Idempotent-Replayed)",
        value: sameIds,
        unit: "replays",
        target: `all ${CREATIONS.toLocaleString("en")}`,
        meetsTarget: sameIds === CREATIONS,
      },
      {
        scenario: retryScenario,
        metric: "the tenant's flows afterwards (GET /v1/flows, every page)",
        value: listed,
        unit: "flows",
        target: `exactly ${CREATIONS.toLocaleString("en")}`,
        meetsTarget: listed === CREATIONS,
      },
      {
        scenario: retryScenario,
        metric: "all answered in",
        value: retry.totalMs / 1000,
        unit: "s",
        baseline: { label: "the creations", value: ten.totalMs / 1000 },
      },
      { scenario: retryScenario, metric: "p99 latency", value: retry.p99, unit: "ms", baseline: baseline(base.p99) },
    ];
  } finally {
    await mesh.stop();
    await dropMeshState(mesh);
  }
}

/** Scenario 3. */
async function statusList(mesh: Mesh, token: string): Promise<BenchResult[]> {
  const csv = "Server Name,OS,IP\nsrv-1,RHEL 8,10.0.0.1\nsrv-2,Windows 2019,10.0.0.2\n";
  const started = performance.now();
  const ids: string[] = [];
  // Through the API, 32 at a time.
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < RECORDS) {
        const i = next++;
        const form = new FormData();
        form.set("name", `estate ${i}`);
        form.set("file", new Blob([csv], { type: "text/csv" }), "inventory.csv");
        const call = await timed(`${mesh.gatewayUrl}/v1/flows`, {
          method: "POST",
          body: form,
          headers: { authorization: `Bearer ${token}` },
        });
        if (call.status !== 201) throw new Error(`create answered ${call.status}: ${call.body.slice(0, 300)}`);
        ids[i] = flowId(call.body);
      }
    }),
  );
  const createSeconds = (performance.now() - started) / 1000;
  const database = createDb<FlowDatabase>({
    url: DATABASE_URL,
    schema: `flow${mesh.suffix}`,
    name: "bench-platform-load",
    poolMax: LIST_CONCURRENCY,
  });
  try {
    const random = prng(5000);
    const statuses = ids.map(() => {
      let x = random();
      for (const [status, share] of STATUS_MIX) {
        if (x < share) return status;
        x -= share;
      }
      return "completed";
    });
    await sql`
      update flows f set status = s.status,
        phase = case when s.status = 'completed' then 'strategy_recommendation'
                     when s.status = 'awaiting_input' then 'field_mapping'
                     when s.status = 'pending' then 'data_import' else 'data_cleansing' end,
        progress = case when s.status = 'completed' then 100 when s.status = 'pending' then 0 else 40 end
      from unnest(${ids}::uuid[], ${statuses}::text[]) as s(id, status)
      where f.id = s.id`.execute(database.db);
    const running = statuses.filter((s) => s === "running").length;
    const url = `${mesh.gatewayUrl}/v1/flows?status=running`;
    const headers = { authorization: `Bearer ${token}` };
    const viaApi = async () => {
      const response = await fetch(url, { headers });
      const body = (await response.json()) as { flows: unknown[] };
      if (response.status !== 200 || body.flows.length !== Math.min(50, running)) {
        throw new Error(`list answered ${response.status} with ${body.flows.length} flows`);
      }
    };
    const tenant = { clientAccountId: clientOf(token), engagementId: "" } as TenantContext;
    const viaSql = async () => {
      await listFlows(database.db, tenant, { status: "running", limit: 50, cursor: "" });
    };
    // Warm both, then alternate measured rounds so a drift of the machine weighs on both alike.
    await loop(viaApi, LIST_CONCURRENCY, 200);
    await loop(viaSql, LIST_CONCURRENCY, 200);
    const api: number[] = [];
    const direct: number[] = [];
    // CPU per request (Linux /proc): gateway and flow processes, and the flow service's database
    // backends; steadier than latency on a shared machine.
    const flowPid = mesh.services.flow?.child.pid;
    const backends = async () =>
      (
        await sql<{
          pid: number;
        }>`select pid from pg_stat_activity where application_name = ${`flow-${flowPid}`}`.execute(database.db)
      ).rows.map((row) => row.pid);
    const cpu = { services: 0, database: 0 };
    for (let round = 0; round < 4; round++) {
      const pids = await backends();
      const before = { services: cpuMs([mesh.services.gateway?.child.pid, flowPid]), database: cpuMs(pids) };
      api.push(...(await loop(viaApi, LIST_CONCURRENCY, LIST_REQUESTS / 4)));
      cpu.services += cpuMs([mesh.services.gateway?.child.pid, flowPid]) - before.services;
      cpu.database += cpuMs(pids) - before.database;
      direct.push(...(await loop(viaSql, LIST_CONCURRENCY, LIST_REQUESTS / 4)));
    }
    const scenario = `${RECORDS.toLocaleString("en")} flows (${running} running), GET /v1/flows?status=running (first page of 50), ${LIST_CONCURRENCY} concurrent`;
    const label = "the same query straight to PostgreSQL (pg, 8 connections)";
    return [
      {
        scenario: `${RECORDS.toLocaleString("en")} flow records created through POST /v1/flows, 32 concurrent`,
        metric: "time to create",
        value: createSeconds,
        unit: "s",
      },
      {
        scenario,
        metric: "p99 latency",
        value: percentile(api, 99),
        unit: "ms",
        baseline: { label, value: percentile(direct, 99) },
        target: "≤ 20 ms",
        meetsTarget: percentile(api, 99) <= 20,
      },
      {
        scenario,
        metric: "p50 latency",
        value: percentile(api, 50),
        unit: "ms",
        baseline: { label, value: percentile(direct, 50) },
      },
      { scenario, metric: "CPU per request, gateway + flow", value: cpu.services / api.length, unit: "ms" },
      { scenario, metric: "CPU per request, flow's PostgreSQL backends", value: cpu.database / api.length, unit: "ms" },
    ];
  } finally {
    await database.close();
  }
}

/** Scenario 4. */
async function corrections(mesh: Mesh, token: string): Promise<BenchResult[]> {
  const headers = distinctHeaders(CORRECTIONS + CORRECTIONS / 10 + 20, 2000, normalizeHeader);
  const teach = (header: { text: string; target: string }) => () =>
    timed(`${mesh.gatewayUrl}/v1/learning/corrections`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        corrections: [{ source_field: header.text, target_field: header.target, format: "generic" }],
      }),
    });
  await Promise.all(headers.slice(0, 20).map((h) => teach(h)()));
  const base = await burst(headers.slice(20, 20 + CORRECTIONS / 10).map(teach));
  const measured = await meshCpu(mesh, () => burst(headers.slice(20 + CORRECTIONS / 10).map(teach)));
  const ten = measured.result;
  const failures = [...base.calls, ...ten.calls].filter((c) => c.status !== 200);
  if (failures.length) {
    console.error(
      `[platform-load] ${failures.length} failed corrections, e.g. ${failures[0]?.status} ${failures[0]?.body.slice(0, 300)}`,
    );
  }
  const ok = ten.calls.filter((c) => c.status === 200).length;
  const scenario = `${CORRECTIONS.toLocaleString("en")} concurrent POST /v1/learning/corrections (one new correction each)`;
  const baseline = (value: number) => ({ label: `${(CORRECTIONS / 10).toLocaleString("en")} concurrent`, value });
  return [
    {
      scenario,
      metric: "all stored in",
      value: ten.totalMs / 1000,
      unit: "s",
      baseline: baseline(base.totalMs / 1000),
      target: "≤ 2 s, every one stored",
      meetsTarget: ok === CORRECTIONS && ten.totalMs <= 2_000,
    },
    { scenario, metric: "p50 latency", value: ten.p50, unit: "ms", baseline: baseline(base.p50) },
    { scenario, metric: "p99 latency", value: ten.p99, unit: "ms", baseline: baseline(base.p99) },
    { scenario, metric: "CPU per correction, five services", value: measured.servicesMs / CORRECTIONS, unit: "ms" },
    {
      scenario,
      metric: "CPU per correction, the services' PostgreSQL backends",
      value: measured.databaseMs / CORRECTIONS,
      unit: "ms",
    },
  ];
}

async function timed(url: string, init: RequestInit): Promise<Timed> {
  const sent = performance.now();
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    return {
      status: response.status,
      ms: performance.now() - sent,
      body,
      replayed: response.headers.get("idempotent-replayed") === "true",
    };
  } catch (error) {
    return { status: 0, ms: performance.now() - sent, body: String(error), replayed: false };
  }
}

/** Every call at once; the total is from the first sent to the last answered. */
async function burst(calls: Array<() => Promise<Timed>>) {
  const started = performance.now();
  const done = await Promise.all(calls.map((call) => call()));
  const totalMs = performance.now() - started;
  const ms = done.map((c) => c.ms);
  return { calls: done, totalMs, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** `requests` calls by `concurrency` sequential loops; their latencies. */
async function loop(call: () => Promise<void>, concurrency: number, requests: number): Promise<number[]> {
  const latencies: number[] = [];
  let left = requests;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const sent = performance.now();
        await call();
        latencies.push(performance.now() - sent);
      }
    }),
  );
  return latencies;
}

/** How many flows the tenant's list holds, paged through with the API's cursors (ids de-duplicated). */
async function listAll(gatewayUrl: string, token: string): Promise<number> {
  const ids = new Set<string>();
  let cursor = "";
  for (let page = 0; page < 1_000; page++) {
    const response = await fetch(`${gatewayUrl}/v1/flows?limit=200${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`list answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { flows: Array<{ id: string }>; next_cursor: string | null };
    for (const flow of body.flows) ids.add(flow.id);
    if (!body.next_cursor) break;
    cursor = encodeURIComponent(body.next_cursor);
  }
  return ids.size;
}

/**
 * CPU the mesh spends during `work`: its five services, and its PostgreSQL backends (matched by
 * the services' application names; a backend started meanwhile counts whole, one that ended
 * meanwhile is missed).
 */
async function meshCpu<T>(
  mesh: Mesh,
  work: () => Promise<T>,
): Promise<{ result: T; servicesMs: number; databaseMs: number }> {
  const database = createDb({ url: DATABASE_URL, schema: "public", name: "bench-platform-load-cpu", poolMax: 1 });
  try {
    const services = Object.entries(mesh.services).map(([name, service]) => ({ name, pid: service?.child.pid }));
    const names = services.map(({ name, pid }) => `${name}-${pid}`);
    const backends = async () =>
      (
        await sql<{
          pid: number;
        }>`select pid from pg_stat_activity where application_name = any(${names}::text[])`.execute(database.db)
      ).rows.map((row) => row.pid);
    const servicePids = services.map(({ pid }) => pid);
    const first = await backends();
    const before = new Map(first.map((pid) => [pid, cpuMs([pid])]));
    const servicesBefore = cpuMs(servicePids);
    const result = await work();
    const servicesMs = cpuMs(servicePids) - servicesBefore;
    const last = await backends();
    const databaseMs = last.reduce((sum, pid) => sum + cpuMs([pid]) - (before.get(pid) ?? 0), 0);
    return { result, servicesMs, databaseMs };
  } finally {
    await database.close();
  }
}

/** User + system CPU time of these processes so far, from /proc (0 for one that is gone). */
function cpuMs(pids: Array<number | undefined>): number {
  let ticks = 0;
  for (const pid of pids) {
    const path = `/proc/${pid}/stat`;
    if (!pid || !existsSync(path)) continue;
    const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / 100;
}

function flowId(body: string): string {
  return (JSON.parse(body) as { flow: { id: string } }).flow.id;
}

function clientOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
    client_account_id: string;
  };
  return payload.client_account_id;
}
