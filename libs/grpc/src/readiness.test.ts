import { EchoService } from "@migrate/gen/testing/v1/echo_pb";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry } from "@migrate/metrics";
import { afterAll, describe, expect, it } from "vitest";
import {
  addService,
  checkHealth,
  createClient,
  createMeshCredentials,
  type GrpcServerHandle,
  LIVENESS_SERVICE,
  startGrpcServer,
  type TenantContext,
} from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });
const tenant: TenantContext = { clientAccountId: "acme", engagementId: "", userId: "u1", requestId: "r1", roles: [] };
const credentials = createMeshCredentials({ secret: "test-mesh-secret-of-at-least-32-chars", issuer: "test" });
const servers: GrpcServerHandle[] = [];
afterAll(() => Promise.all(servers.map((server) => server.shutdown(1_000))));

const waitForStatus = async (target: string, service: string, status: string) => {
  const deadline = Date.now() + 5_000;
  let last = "";
  while (Date.now() < deadline) {
    last = await checkHealth(target, service, 500);
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return last;
};

describe("readiness and liveness", () => {
  it("answers NOT_SERVING while a dependency probe fails or hangs; liveness stays SERVING", async () => {
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      serviceNames: [EchoService.typeName],
      register: () => {},
      probes: {
        database: async () => {},
        // A probe that hangs counts as failed after the timeout, not as a stuck check.
        nats: () => new Promise(() => {}),
      },
      probeIntervalMs: 50,
      probeTimeoutMs: 100,
    });
    servers.push(server);
    const target = `127.0.0.1:${server.port}`;
    expect(await waitForStatus(target, "", "NOT_SERVING")).toBe("NOT_SERVING");
    expect(await checkHealth(target, EchoService.typeName)).toBe("NOT_SERVING");
    // Liveness never follows a dependency: restarting the process would not fix its database.
    expect(await checkHealth(target, LIVENESS_SERVICE)).toBe("SERVING");
    await server.shutdown(1_000);
    servers.pop();
  });

  it("follows a probe that recovers", async () => {
    let databaseUp = false;
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      serviceNames: [EchoService.typeName],
      register: () => {},
      probes: {
        database: async () => {
          if (!databaseUp) throw new Error("connection refused");
        },
      },
      probeIntervalMs: 50,
    });
    servers.push(server);
    const target = `127.0.0.1:${server.port}`;
    expect(await waitForStatus(target, "", "NOT_SERVING")).toBe("NOT_SERVING");
    databaseUp = true;
    expect(await waitForStatus(target, "", "SERVING")).toBe("SERVING");
    expect(await checkHealth(target, EchoService.typeName)).toBe("SERVING");
    // Draining wins over the probes: a stopping replica stays out.
    await server.shutdown(1_000);
    servers.pop();
  });
});

describe("rpc server metrics", () => {
  it("times every call by method and outcome code", async () => {
    const registry = createMetricsRegistry("test");
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      serviceNames: [EchoService.typeName],
      register: (s) =>
        addService(
          s,
          EchoService,
          {
            echo: async (request) => {
              if (request.text === "missing") throw Object.assign(new Error("no"), {});
              return { text: request.text, clientAccountId: "acme" };
            },
            collect: async () => ({ texts: [] }),
            repeat: async function* () {},
            chat: async function* () {},
          },
          logger,
          { credentials, registry },
        ),
    });
    servers.push(server);
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials, maxAttempts: 1 });
    await client.echo({ text: "hi" }, { tenant });
    await expect(client.echo({ text: "missing" }, { tenant })).rejects.toMatchObject({ code: "INTERNAL" });
    close();
    const counts = (await registry.metrics())
      .split("\n")
      .filter((line) => line.startsWith("rpc_server_duration_seconds_count{"));
    const count = (code: string) =>
      counts.find(
        (line) =>
          line.includes('rpc_service="migrate.testing.v1.EchoService"') &&
          line.includes('rpc_method="Echo"') &&
          line.includes(`code="${code}"`),
      );
    expect(count("OK")).toMatch(/ 1$/);
    expect(count("INTERNAL")).toMatch(/ 1$/);
  });
});
