import { PassThrough } from "node:stream";
import { MeshError } from "@migrate/errors";
import { EchoService } from "@migrate/gen/testing/v1/echo_pb";
import { createLogger } from "@migrate/logger";
import { afterAll, describe, expect, it } from "vitest";
import {
  addService,
  createClient,
  createMeshCredentials,
  type GrpcServerHandle,
  startGrpcServer,
  type TenantContext,
} from "./index.ts";

const tenant: TenantContext = { clientAccountId: "acme", engagementId: "", userId: "u1", requestId: "r1", roles: [] };
const credentials = createMeshCredentials({ secret: "test-mesh-secret-of-at-least-32-chars", issuer: "test" });
const servers: GrpcServerHandle[] = [];
afterAll(() => Promise.all(servers.map((server) => server.shutdown(1_000))));

function capturedLogger(service: string) {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ service, level: "debug", destination: stream }), lines };
}

/** An Echo server whose `echo` runs `fail`; the other methods are never called here. */
async function echoServer(logger: ReturnType<typeof createLogger>, fail: () => Promise<never>) {
  const server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    serviceNames: [EchoService.typeName],
    register: (s) =>
      addService(
        s,
        EchoService,
        {
          echo: fail,
          collect: async () => ({ texts: [] }),
          repeat: async function* () {},
          chat: async function* () {},
        },
        logger,
        { credentials },
      ),
  });
  servers.push(server);
  return server;
}

describe("errors are logged once, by the service that raised them", () => {
  it("logs an INTERNAL where it is raised, with its code, and not again where it is relayed", async () => {
    const downstream = capturedLogger("agent");
    const upstream = capturedLogger("flow");
    const agent = await echoServer(downstream.logger, async () => {
      throw new MeshError("INTERNAL", "agent lost its database", {}, { cause: new Error("ECONNRESET") });
    });
    const agentClient = createClient(EchoService, `127.0.0.1:${agent.port}`, { credentials, maxAttempts: 1 });
    const flow = await echoServer(upstream.logger, () => agentClient.client.echo({ text: "x" }, { tenant }) as never);
    const { client, close } = createClient(EchoService, `127.0.0.1:${flow.port}`, { credentials, maxAttempts: 1 });

    await expect(client.echo({ text: "x" }, { tenant })).rejects.toMatchObject({ code: "INTERNAL" });
    await new Promise((resolve) => setImmediate(resolve));
    const errors = (lines: Array<Record<string, unknown>>) => lines.filter((line) => line.level === "error");
    expect(errors(downstream.lines)).toHaveLength(1);
    expect(errors(downstream.lines)[0]).toMatchObject({
      code: "INTERNAL",
      rpc: "Echo",
      msg: "agent lost its database",
    });
    expect(errors(upstream.lines)).toEqual([]);
    // Each side still accounts for the call, with its outcome, at debug.
    expect(upstream.lines).toContainEqual(expect.objectContaining({ msg: "rpc handled", code: "INTERNAL" }));
    close();
    agentClient.close();
  });

  it("does not log a caller's mistake as an error", async () => {
    const { logger, lines } = capturedLogger("flow");
    const server = await echoServer(logger, async () => {
      throw new MeshError("NOT_FOUND", "no such flow");
    });
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials, maxAttempts: 1 });
    await expect(client.echo({ text: "x" }, { tenant })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
    close();
  });
});
