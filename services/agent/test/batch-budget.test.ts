import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import type { MeshError } from "@migrate/errors";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { type ClientHandle, checkHealth, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../telemetry/test/support/free-port.ts";

/**
 * One batch cannot hold the agent: a real agent process, with a small AGENT_BATCH_BUDGET_MS, is
 * sent batches that are expensive but legitimate (10,000 records with long IP and tag lists, all
 * linear work). While one runs, its gRPC health check keeps answering; past the budget the call
 * fails for good naming the setting; afterwards the agent serves the next call; and SIGTERM with
 * such calls in flight still ends the process in time, cleanly.
 */

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BUDGET_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 2_000;
const schema = withTestSchema("agent_budget");
const tenant: TenantContext = {
  clientAccountId: `acct_${randomUUID().slice(0, 8)}`,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
};
const call = { tenant, timeoutMs: 60_000 };
const mappings = [
  { source: "Server", target: "asset_name", confidence: 1 },
  { source: "IPs", target: "ip_addresses", confidence: 1 },
  { source: "Tags", target: "tags", confidence: 1 },
  { source: "OS", target: "operating_system", confidence: 1 },
  { source: "Memory", target: "memory_gb", confidence: 1 },
];
let service: ServiceProcess;
let target: string;
let agents: ClientHandle<typeof AgentService.method>;

beforeAll(async () => {
  const grpcPort = await freePort();
  target = `127.0.0.1:${grpcPort}`;
  service = await startService("agent", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${await freePort()}`,
      LOG_LEVEL: "warn",
      AGENT_BATCH_BUDGET_MS: `${BUDGET_MS}`,
      SHUTDOWN_TIMEOUT_MS: `${SHUTDOWN_TIMEOUT_MS}`,
    },
  });
  agents = createClient(AgentService, `dns:///${target}`, {
    credentials: meshCredentials(service.env, "test"),
    maxAttempts: 1,
  });
});

afterAll(async () => {
  agents?.close();
  await service?.stop("SIGKILL");
  const { db, close } = createDb({ url: DATABASE_URL, schema, name: "agent-budget-test" });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await close();
});

/** `count` records whose IP and tag lists make cleansing cost about 0.2 ms each: about 20 MB. */
function heavyBatch(count: number) {
  const ips = Array.from({ length: 120 }, (_, i) => `10.${i}.0.${i % 250}`).join(", ");
  const tags = Array.from({ length: 40 }, (_, i) => `key${i}=value${i}`).join("; ");
  return {
    flowId: `flow_${randomUUID().slice(0, 8)}`,
    mappings,
    recommendStrategies: true,
    records: Array.from({ length: count }, (_, i) => ({
      rowNumber: BigInt(i + 1),
      valuesJson: JSON.stringify({
        Server: `srv-${i}`,
        IPs: ips,
        Tags: tags,
        OS: "Windows Server 2019",
        Memory: "16 GB",
      }),
    })),
  };
}

/** Polls the health check every 20 ms while `work` runs: the slowest answer, and how the work ended. */
async function healthWhile<T>(work: Promise<T>) {
  let done = false;
  const settled = work.then(
    (value) => ({ value, error: undefined }),
    (error: MeshError) => ({ value: undefined, error }),
  );
  void settled.then(() => {
    done = true;
  });
  let slowest = 0;
  let checks = 0;
  while (!done) {
    const started = performance.now();
    const status = await checkHealth(target, AgentService.typeName, 5_000);
    slowest = Math.max(slowest, performance.now() - started);
    checks++;
    expect(status).toBe("SERVING");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { slowest, checks, ...(await settled) };
}

describe("a batch past its time budget", () => {
  it("keeps the health check answering while it runs, then fails for good naming AGENT_BATCH_BUDGET_MS", async () => {
    const batch = heavyBatch(10_000);
    const started = performance.now();
    const { slowest, checks, error } = await healthWhile(agents.client.validateAndCleanseRecords(batch, call));
    const took = performance.now() - started;
    expect(error?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error?.message).toMatch(
      new RegExp(
        `took longer than the agent's budget of ${BUDGET_MS} ms per call \\(AGENT_BATCH_BUDGET_MS\\) and stopped at row \\d+`,
      ),
    );
    expect(error?.details).toMatchObject({ setting: "AGENT_BATCH_BUDGET_MS", limit: BUDGET_MS });
    expect(took).toBeGreaterThan(BUDGET_MS);
    // Without the slices a health check sent during the batch waits for all of it; decoding the
    // 20 MB request and parsing its records are the only stretch left unsliced.
    expect(checks).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(took / 2);
  });

  it("leaves the agent serving the next call", async () => {
    const small = heavyBatch(50);
    const response = await agents.client.validateAndCleanseRecords(small, call);
    expect(response.cleansing?.assets).toHaveLength(50);
    expect(response.cleansing?.assets[0]?.strategyJson).toContain("strategy");
  });
});

describe("SIGTERM while batches run", () => {
  it("stops the process within SHUTDOWN_TIMEOUT_MS, cleanly", async () => {
    const batch = heavyBatch(10_000);
    const calls = Array.from({ length: 3 }, () =>
      agents.client.validateAndCleanseRecords(batch, call).then(
        () => "answered",
        (error: MeshError) => error.code,
      ),
    );
    // Let the requests arrive and the work start.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const started = performance.now();
    const code = await service.stop("SIGTERM");
    const took = performance.now() - started;
    expect(code).toBe(0);
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    for (const outcome of await Promise.all(calls)) expect(outcome).not.toBe("answered");
  });
});
