/**
 * The foundation's vertical slice over the whole mesh, five real processes: health on every
 * internal service, readiness naming a stopped downstream, create/read/list through the gateway,
 * tenant isolation, idempotent create, and flow.created recorded exactly once by telemetry even
 * when the flow and telemetry services are killed and restarted mid-stream.
 */
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { checkHealth, createClient, type TenantContext } from "@migrate/grpc";
import { dropMeshState, freePortBase, type Mesh, startMesh } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../src/auth/dev-token.ts";

let mesh: Mesh;
let tokenA: string;
let tokenB: string;
const clientA = `found_a_${Date.now().toString(36)}`;
const clientB = `found_b_${Date.now().toString(36)}`;
const inventory = [
  "Server Name,IP Address,OS",
  ...Array.from({ length: 20 }, (_, i) => `srv-${i},10.0.0.${i},RHEL 8`),
].join("\n");

beforeAll(async () => {
  mesh = await startMesh({
    isolate: true,
    portBase: await freePortBase(),
    env: { LOG_LEVEL: "warn" },
    serviceEnv: { telemetry: { TELEMETRY_ACK_WAIT_MS: "2000" } },
  });
  const sign = (client: string) =>
    signDevToken({ client, sub: "tester", roles: ["analyst"], secret: mesh.jwtSecret, expiresIn: "10m" });
  [tokenA, tokenB] = await Promise.all([sign(clientA), sign(clientB)]);
});
afterAll(async () => {
  await mesh?.stop();
  // Its schemas, streams and keys would otherwise stay behind after every run.
  if (mesh) await dropMeshState(mesh);
});

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${mesh.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

async function createFlow(token: string, headers: Record<string, string> = {}) {
  return api("/v1/flows?name=foundation", token, {
    method: "POST",
    headers: { "content-type": "text/csv", ...headers },
    body: inventory,
  });
}

async function timeline(flowId: string): Promise<string[]> {
  const tenant: TenantContext = { clientAccountId: clientA, engagementId: "", userId: "t", requestId: "r", roles: [] };
  const { client, close } = createClient(TelemetryService, `127.0.0.1:${mesh.ports.grpc.telemetry}`, {
    credentials: mesh.credentials,
  });
  try {
    const response = await client.getFlowTimeline({ flowId }, { tenant });
    return response.entries.map((entry) => entry.type);
  } catch {
    return [];
  } finally {
    close();
  }
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

describe("the mesh foundation", () => {
  it("answers grpc.health.v1 SERVING on every internal service, and the gateway is ready", async () => {
    for (const [name, port] of Object.entries(mesh.ports.grpc)) {
      expect(await checkHealth(`127.0.0.1:${port}`), name).toBe("SERVING");
    }
    expect(await checkHealth(`127.0.0.1:${mesh.ports.grpc.flow}`, "migrate.flow.v1.FlowService")).toBe("SERVING");
    expect((await fetch(`${mesh.gatewayUrl}/readyz`)).status).toBe(200);
  });

  it("creates, reads back and lists a flow; an Idempotency-Key retry returns the same flow", async () => {
    const key = `key-${Date.now()}`;
    const first = await createFlow(tokenA, { "idempotency-key": key });
    expect(first.status).toBe(201);
    const { flow } = (await first.json()) as { flow: { id: string; raw_record_count: number } };
    expect(flow.raw_record_count).toBe(20);

    const retry = await createFlow(tokenA, { "idempotency-key": key });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { flow: { id: string } }).flow.id).toBe(flow.id);

    const read = (await (await api(`/v1/flows/${flow.id}`, tokenA)).json()) as {
      flow: { raw_record_count: number; columns: string[] };
    };
    expect(read.flow).toMatchObject({ raw_record_count: 20, columns: ["Server Name", "IP Address", "OS"] });
    const list = (await (await api("/v1/flows", tokenA)).json()) as { flows: Array<{ id: string }> };
    expect(list.flows.map((f) => f.id)).toEqual([flow.id]);

    // Another tenant cannot see it, not even that it exists.
    const other = await api(`/v1/flows/${flow.id}`, tokenB);
    const unknown = await api("/v1/flows/00000000-0000-4000-8000-000000000000", tokenB);
    expect([other.status, unknown.status]).toEqual([404, 404]);
    type ErrorBody = { error: { code: string; message: string } };
    const [otherError, unknownError] = [
      ((await other.json()) as ErrorBody).error,
      ((await unknown.json()) as ErrorBody).error,
    ];
    expect({ code: otherError.code, message: otherError.message }).toEqual({
      code: unknownError.code,
      message: unknownError.message,
    });
    expect(((await (await api("/v1/flows", tokenB)).json()) as { flows: unknown[] }).flows).toEqual([]);

    const types = await eventually(
      () => timeline(flow.id),
      (t) => t.includes("flow.created"),
    );
    expect(types.filter((t) => t === "flow.created")).toHaveLength(1);
  });

  it("records flow.created exactly once per flow across kills and restarts of flow and telemetry", async () => {
    const creates = Array.from({ length: 8 }, () => createFlow(tokenA));
    // Telemetry dies while events are being published, the flow service right after committing.
    await mesh.services.telemetry?.stop("SIGKILL");
    const responses = await Promise.all(creates);
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { flow: { id: string } }).flow.id));
    await mesh.services.flow?.stop("SIGKILL");
    await mesh.services.flow?.restart();
    await mesh.services.telemetry?.restart();

    for (const id of ids) {
      const types = await eventually(
        () => timeline(id),
        (t) => t.includes("flow.created"),
        30_000,
      );
      expect(
        types.filter((t) => t === "flow.created"),
        id,
      ).toHaveLength(1);
    }
  });

  it("answers /readyz 503 naming a stopped downstream, and 200 again once it is back", async () => {
    expect(await mesh.services.agent?.stop("SIGTERM")).toBe(0);
    const notReady = await fetch(`${mesh.gatewayUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { not_ready: string[] }).not_ready).toEqual(["agent"]);
    await mesh.services.agent?.restart();
    const ready = await eventually(
      async () => (await fetch(`${mesh.gatewayUrl}/readyz`)).status,
      (status) => status === 200,
    );
    expect(ready).toBe(200);
  });

  it("stops every service gracefully on SIGTERM with exit code 0", async () => {
    const codes: Record<string, number | null> = {};
    for (const name of ["gateway", "telemetry", "flow", "agent", "learning"] as const) {
      codes[name] = (await mesh.services[name]?.stop("SIGTERM")) ?? null;
    }
    expect(codes).toEqual({ gateway: 0, telemetry: 0, flow: 0, agent: 0, learning: 0 });
  });
});
