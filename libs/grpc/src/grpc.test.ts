import { create } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import { AgentService, ListAgentsResponseSchema } from "@migrate/gen/agent/v1/agent_pb";
import { createLogger } from "@migrate/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addService,
  checkHealth,
  createClient,
  type GrpcServerHandle,
  startGrpcServer,
  type TenantContext,
} from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });
const tenant: TenantContext = { clientAccountId: "acme", engagementId: "", userId: "u1", requestId: "r1", roles: [] };
let server: GrpcServerHandle;
const seen: string[] = [];

beforeAll(async () => {
  server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    serviceNames: [AgentService.typeName],
    register: (s) =>
      addService(
        s,
        AgentService,
        {
          listAgents: async (_request, ctx) => {
            seen.push(ctx.tenant.clientAccountId);
            if (ctx.tenant.clientAccountId === "broken") {
              throw new MeshError("INVALID_ARGUMENT", "bad row", { row: 3, column: "RAM" });
            }
            if (ctx.tenant.clientAccountId === "crash") throw new Error("secret internals");
            return create(ListAgentsResponseSchema, { agents: [{ name: "validation", provider: "heuristic" }] });
          },
        },
        logger,
      ),
  });
});
afterAll(() => server.shutdown(1_000));

describe("grpc adapter", () => {
  it("round-trips protobuf-es messages with the tenant context", async () => {
    const { client, close } = createClient(AgentService, `dns:///127.0.0.1:${server.port}`);
    const response = await client.listAgents({}, { tenant });
    expect(response.agents[0]?.name).toBe("validation");
    expect(seen).toContain("acme");
    close();
  });

  it("refuses a call without tenant context", async () => {
    const { client, close } = createClient(AgentService, `127.0.0.1:${server.port}`);
    await expect(client.listAgents({}, {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    close();
  });

  it("carries MeshError code and details across the wire, and hides internals", async () => {
    const { client, close } = createClient(AgentService, `127.0.0.1:${server.port}`);
    await expect(client.listAgents({}, { tenant: { ...tenant, clientAccountId: "broken" } })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "bad row",
      details: { row: 3, column: "RAM" },
    });
    const crash = client.listAgents({}, { tenant: { ...tenant, clientAccountId: "crash" } });
    await expect(crash).rejects.toMatchObject({ code: "INTERNAL", message: "internal error" });
    close();
  });

  it("answers grpc.health.v1 and reports an unreachable target", async () => {
    expect(await checkHealth(`127.0.0.1:${server.port}`)).toBe("SERVING");
    expect(await checkHealth(`127.0.0.1:${server.port}`, AgentService.typeName)).toBe("SERVING");
    expect(await checkHealth("127.0.0.1:1", "", 300)).toBe("UNREACHABLE");
  });

  it("fails a call with UNAVAILABLE, not a hang, when nothing listens", async () => {
    const { client, close } = createClient(AgentService, "127.0.0.1:1", { defaultTimeoutMs: 2_000 });
    await expect(client.listAgents({}, { tenant })).rejects.toBeInstanceOf(MeshError);
    close();
  });
});
