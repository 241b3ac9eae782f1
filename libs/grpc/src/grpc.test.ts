import { create } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import { GetFlowTimelineResponseSchema, TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
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
    serviceNames: [TelemetryService.typeName],
    register: (s) =>
      addService(
        s,
        TelemetryService,
        {
          getFlowTimeline: async (request, ctx) => {
            seen.push(ctx.tenant.clientAccountId);
            if (ctx.tenant.clientAccountId === "broken") {
              throw new MeshError("INVALID_ARGUMENT", "bad row", { row: 3, column: "RAM" });
            }
            if (ctx.tenant.clientAccountId === "crash") throw new Error("secret internals");
            return create(GetFlowTimelineResponseSchema, {
              flowId: request.flowId,
              entries: [{ type: "flow.created" }],
            });
          },
        },
        logger,
      ),
  });
});
afterAll(() => server.shutdown(1_000));

describe("grpc adapter", () => {
  it("round-trips protobuf-es messages with the tenant context", async () => {
    const { client, close } = createClient(TelemetryService, `dns:///127.0.0.1:${server.port}`);
    const response = await client.getFlowTimeline({ flowId: "f-1" }, { tenant });
    expect(response.flowId).toBe("f-1");
    expect(response.entries[0]?.type).toBe("flow.created");
    expect(seen).toContain("acme");
    close();
  });

  it("refuses a call without tenant context", async () => {
    const { client, close } = createClient(TelemetryService, `127.0.0.1:${server.port}`);
    await expect(client.getFlowTimeline({ flowId: "f-1" }, {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    close();
  });

  it("carries MeshError code and details across the wire, and hides internals", async () => {
    const { client, close } = createClient(TelemetryService, `127.0.0.1:${server.port}`);
    await expect(
      client.getFlowTimeline({ flowId: "f-1" }, { tenant: { ...tenant, clientAccountId: "broken" } }),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "bad row",
      details: { row: 3, column: "RAM" },
    });
    const crash = client.getFlowTimeline({ flowId: "f-1" }, { tenant: { ...tenant, clientAccountId: "crash" } });
    await expect(crash).rejects.toMatchObject({ code: "INTERNAL", message: "internal error" });
    close();
  });

  it("answers grpc.health.v1 and reports an unreachable target", async () => {
    expect(await checkHealth(`127.0.0.1:${server.port}`)).toBe("SERVING");
    expect(await checkHealth(`127.0.0.1:${server.port}`, TelemetryService.typeName)).toBe("SERVING");
    expect(await checkHealth("127.0.0.1:1", "", 300)).toBe("UNREACHABLE");
  });

  it("fails a call with UNAVAILABLE, not a hang, when nothing listens", async () => {
    const { client, close } = createClient(TelemetryService, "127.0.0.1:1", { defaultTimeoutMs: 2_000 });
    await expect(client.getFlowTimeline({ flowId: "f-1" }, { tenant })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    close();
  });
});
