/**
 * The same discovery lifecycle over Connect (WatchFlow streaming included), the `migrate-mesh`
 * CLI against the whole mesh, and per-tenant rate limiting in Redis: 429 with Retry-After, and
 * failing open when Redis is gone.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, reviewSample, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { freePort, ROOT } from "./support/service-process.ts";

let d: DiscoveryMesh;
const extraGateways: ServiceProcess[] = [];

beforeAll(async () => {
  d = await startDiscoveryMesh();
});
afterAll(async () => {
  for (const gateway of extraGateways) await gateway.stop();
  await d?.stop();
});

function flows(token: string, baseUrl = d.mesh.gatewayUrl): Client<typeof FlowsService> {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(FlowsService, createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [auth] }));
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

/** One more gateway in front of the same mesh, with its own ports and settings. */
async function extraGateway(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const gateway = await startService("gateway", {
    env: { ...d.mesh.env.gateway, HTTP_PORT: String(port), METRICS_PORT: String(await freePort()), ...env },
  });
  extraGateways.push(gateway);
  return `http://127.0.0.1:${port}`;
}

describe("the discovery lifecycle over Connect", () => {
  it("creates a flow with connections, watches it to completed answering the review, and reads its results", async () => {
    const tenant = d.tenant("connect");
    const client = flows(await d.token(tenant));
    const sample = reviewSample();
    const encode = (text: string) => new TextEncoder().encode(text);
    const { flow } = await client.createFlow({
      name: "Connect estate",
      filename: "inventory.csv",
      content: encode(sample.inventoryCsv),
      connections: encode(sample.connectionsCsv),
    });
    const flowId = flow?.id ?? "";
    expect(flow).toMatchObject({ clientAccountId: tenant, rawRecordCount: 303n });
    expect(Number(flow?.connectionCount)).toBeGreaterThan(300);

    const types: string[] = [];
    const ids: string[] = [];
    for await (const { event } of client.watchFlow({ flowId })) {
      types.push(event?.type ?? "");
      ids.push(event?.eventId ?? "");
      expect(event?.flowId).toBe(flowId);
      if (event?.type === "flow.awaiting_input") {
        const review = await client.getMappings({ flowId });
        expect(review.mappings?.awaitingApproval).toBe(true);
        const approved = await client.approveMappings({ flowId, corrections: [] });
        expect(approved.flow?.status).toBe(FlowStatus.RUNNING);
      }
    }
    expect(types[0]).toBe("flow.created");
    expect(types.at(-1)).toBe("flow.completed");
    expect(types.filter((type) => type === "phase.completed")).toHaveLength(8);

    // Resuming after an event yields only the ones after it.
    const resumed: string[] = [];
    for await (const { event } of client.watchFlow({ flowId, afterEventId: ids[3] }))
      resumed.push(event?.eventId ?? "");
    expect(resumed).toEqual(ids.slice(4));

    const { report } = await client.getReport({ flowId });
    expect(Number(report?.assetCount)).toBe(300);
    const page = await client.listAssets({ flowId, limit: 500 });
    expect(page.assets).toHaveLength(300);
    expect(Number(page.total)).toBe(300);
    // The filters pass through Connect to the flow service: the count agrees with the report's.
    const rehost = Number(report?.byStrategy.find((item) => item.key === "rehost")?.count ?? 0);
    const filtered = await client.listAssets({ flowId, limit: 500, strategy: "rehost" });
    expect(Number(filtered.total)).toBe(rehost);
    expect(filtered.assets).toHaveLength(rehost);
    expect(filtered.assets.every((view) => view.strategy?.strategy === "rehost")).toBe(true);
    const rehostCsv: Uint8Array[] = [];
    for await (const { chunk } of client.exportAssets({ flowId, format: "csv", strategy: "rehost" }))
      rehostCsv.push(chunk);
    expect(Buffer.concat(rehostCsv).toString("utf8").trim().split(/\r?\n/)).toHaveLength(rehost + 1);
    expect((await failure(client.listAssets({ flowId, strategy: "rebuild" }))).code).toBe(Code.InvalidArgument);
    expect((await client.listApplications({ flowId })).applications.length).toBeGreaterThan(0);
    expect((await client.listWaves({ flowId })).waves.length).toBeGreaterThan(0);
    expect(Number((await client.listDependencies({ flowId, limit: 1 })).total)).toBe(Number(report?.dependencyCount));
    expect((await client.listIssues({ flowId, severity: "warning" })).issues.length).toBeGreaterThan(0);
    const chunks: Uint8Array[] = [];
    for await (const { chunk } of client.exportAssets({ flowId, format: "json" })) chunks.push(chunk);
    expect(JSON.parse(Buffer.concat(chunks).toString("utf8"))).toHaveLength(300);

    const late = await failure(client.approveMappings({ flowId, corrections: [] }));
    expect(late.code).toBe(Code.FailedPrecondition);
    const pause = await failure(client.pauseFlow({ flowId }));
    expect(pause.code).toBe(Code.FailedPrecondition);

    const intruder = flows(await d.token(d.tenant("connect-intruder")));
    const watch = await failure(
      (async () => {
        for await (const _ of intruder.watchFlow({ flowId })) {
          // nothing may arrive
        }
      })(),
    );
    expect(watch.code).toBe(Code.NotFound);
    expect((await failure(intruder.getReport({ flowId }))).code).toBe(Code.NotFound);
    const exported = await failure(
      (async () => {
        for await (const _ of intruder.exportAssets({ flowId, format: "csv" })) {
          // nothing may arrive
        }
      })(),
    );
    expect(exported.code).toBe(Code.NotFound);
  });
});

describe("the migrate-mesh CLI", () => {
  it("discovers a file with --approve: progress per phase, the approved mappings, then the summary", async () => {
    const dir = tmpdir();
    const sample = reviewSample();
    const inventory = join(dir, `cli-${process.pid}-inventory.csv`);
    const connections = join(dir, `cli-${process.pid}-connections.csv`);
    writeFileSync(inventory, sample.inventoryCsv);
    writeFileSync(connections, sample.connectionsCsv);
    const args = ["scripts/cli.ts", "discover", inventory, "--connections", connections, "--approve"];
    const child = spawn(process.execPath, [...args, "--url", d.mesh.gatewayUrl, "--client", d.tenant("cli")], {
      cwd: ROOT,
      // No --token: the CLI signs one with JWT_SECRET, as with the development secret.
      env: { ...process.env, JWT_SECRET: d.mesh.jwtSecret, MIGRATE_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(0);
    const rows = sample.inventoryCsv.trimEnd().split("\n").length - 1;
    const links = sample.connectionsCsv.trimEnd().split("\n").length - 1;
    expect(stdout).toMatch(
      new RegExp(`Created flow [0-9a-f-]{36} "cli-\\d+-inventory": ${rows} rows, ${links} connections`),
    );
    expect(stdout).toContain("✓ strategy recommendation");
    expect(stdout).toMatch(/Approved \d+ mappings:/);
    expect(stdout).toMatch(/Computr\s+→ asset_name\s+\(0\.\d\d\)/);
    expect(stdout).toContain("Assessment of");
    expect(stdout).toMatch(/300 assets \(3 duplicates merged\)/);
    for (const section of ["Asset types", "Environments", "OS families", "Strategies (per asset)"]) {
      expect(stdout).toContain(section);
    }
    expect(stdout).toMatch(/Issues\s+[\d,]+, [\d,]+ open \(warnings and errors\)/);
  });
});

describe("per-tenant rate limiting", () => {
  it("answers the 6th request of a minute with 429 and Retry-After; other tenants and health are unaffected", async () => {
    // A window boundary between the calls would reset the count: start early in a minute.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const url = await extraGateway({ RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_UPLOADS_PER_MINUTE: "2" });
    const busy = await d.token(d.tenant("busy"));
    const call = (token: string) => fetch(`${url}/v1/flows`, { headers: { authorization: `Bearer ${token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await call(busy);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      error: { code: "RATE_LIMITED", details: { bucket: "requests", limit: 5, retry_after_seconds: retryAfter } },
    });
    const overConnect = await failure(flows(busy, url).listFlows({}));
    expect(overConnect.code).toBe(Code.ResourceExhausted);
    expect(overConnect.metadata.get("x-error-code")).toBe("RATE_LIMITED");

    expect((await call(await d.token(d.tenant("calm")))).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // Uploads have their own, stricter budget.
    const uploader = await d.token(d.tenant("uploader"));
    const upload = () =>
      fetch(`${url}/v1/flows?name=limit`, {
        method: "POST",
        headers: { authorization: `Bearer ${uploader}`, "content-type": "text/csv" },
        body: "hostname,os\nweb-01,RHEL 8\n",
      });
    expect([(await upload()).status, (await upload()).status]).toEqual([201, 201]);
    const third = await upload();
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { details: { bucket: string } } }).error.details.bucket).toBe("uploads");
  });

  it("fails open when Redis is unreachable, counting the calls it let through", async () => {
    const metricsPort = await freePort();
    const url = await extraGateway({
      RATE_LIMIT_PER_MINUTE: "2",
      REDIS_URL: "redis://127.0.0.1:1",
      METRICS_PORT: String(metricsPort),
    });
    const token = await d.token(d.tenant("no-redis"));
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/v1/flows`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const bypassed = Number(/gateway_rate_limit_bypassed_total(?:\{[^}]*\})? (\d+)/.exec(metrics)?.[1]);
    expect(bypassed).toBeGreaterThanOrEqual(5);
  });
});
