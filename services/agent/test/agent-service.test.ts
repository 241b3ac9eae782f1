import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { isMeshError } from "@migrate/errors";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { type ClientHandle, checkHealth, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../telemetry/test/support/free-port.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schema = withTestSchema("agent");
const tenant: TenantContext = {
  clientAccountId: `acct_${randomUUID().slice(0, 8)}`,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
};
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
    },
  });
  agents = createClient(AgentService, `dns:///${target}`, { credentials: meshCredentials(service.env, "test") });
});

afterAll(async () => {
  agents?.close();
  await service?.stop("SIGKILL");
  const { db, close } = createDb({ url: DATABASE_URL, schema, name: "agent-test" });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await close();
});

describe("agent service", () => {
  it("reports SERVING on gRPC health, overall and for AgentService", async () => {
    expect(await checkHealth(target)).toBe("SERVING");
    expect(await checkHealth(target, AgentService.typeName)).toBe("SERVING");
  });

  it("lists the deterministic agents of the discovery flow", async () => {
    const response = await agents.client.listAgents({}, { tenant });
    expect(response.agents.map((agent) => agent.name)).toEqual([
      "validation",
      "field_mapping",
      "cleansing",
      "deduplication",
      "classification",
      "dependency_analysis",
      "application_discovery",
      "strategy",
      "waves",
    ]);
    for (const agent of response.agents) {
      expect(agent.provider).toBe("heuristic");
      expect(agent.description.length).toBeGreaterThan(20);
    }
  });

  it("refuses a call without tenant context as UNAUTHENTICATED", async () => {
    const error = await agents.client.listAgents({}, {}).catch((e: unknown) => e);
    expect(isMeshError(error) && error.code).toBe("UNAUTHENTICATED");
  });

  it("created its agent_runs table in its own schema", async () => {
    const { db, close } = createDb({ url: DATABASE_URL, schema, name: "agent-test" });
    try {
      const { rows } = await sql<{ column_name: string }>`
        select column_name from information_schema.columns
        where table_schema = ${schema} and table_name = 'agent_runs' order by ordinal_position`.execute(db);
      expect(rows.map((row) => row.column_name)).toEqual([
        "id",
        "client_account_id",
        "flow_id",
        "agent",
        "status",
        "started_at",
        "finished_at",
        "input_count",
        "output_count",
      ]);
    } finally {
      await close();
    }
  });

  it("exits 0 on SIGTERM and stops answering", async () => {
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(await checkHealth(target, "", 300)).toBe("UNREACHABLE");
  });
});
