/**
 * maxConnectionAge makes clients reconnect (and so re-resolve, reaching replicas added since)
 * without failing a call: a TCP proxy in front of the server counts the connections a client
 * opens while it keeps calling, and a stream open across the age limit still gets its answers.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { afterEach, describe, expect, it } from "vitest";
import { checkHealth } from "./health.ts";
import { type GrpcServerHandle, startGrpcServer } from "./server.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveWithProxy(maxConnectionAge?: { ms: number; graceMs?: number }) {
  const grpcServer: GrpcServerHandle = await startGrpcServer({
    port: 0,
    serviceNames: [],
    register: () => {},
    maxConnectionAge,
  });
  cleanups.push(() => grpcServer.shutdown(1_000));
  let connections = 0;
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((inbound) => {
    connections++;
    const outbound = createConnection(grpcServer.port, "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => proxy.close(resolve));
  });
  const address = proxy.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { grpcServer, target: `127.0.0.1:${port}`, connections: () => connections };
}

async function callFor(target: string, ms: number): Promise<string[]> {
  const answers: string[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    answers.push(await checkHealth(target, "", 2_000));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return answers;
}

describe("gRPC server maximum connection age", () => {
  it("recycles connections while every call succeeds", async () => {
    const { target, connections } = await serveWithProxy({ ms: 300, graceMs: 5_000 });
    const answers = await callFor(target, 2_000);
    expect(answers.length).toBeGreaterThan(20);
    expect(new Set(answers)).toEqual(new Set(["SERVING"]));
    // About one connection per 300 ms (±10 % jitter) over 2 s.
    expect(connections()).toBeGreaterThanOrEqual(3);
  });

  it("keeps one connection when unset", async () => {
    const { target, connections } = await serveWithProxy();
    const answers = await callFor(target, 1_000);
    expect(new Set(answers)).toEqual(new Set(["SERVING"]));
    expect(connections()).toBe(1);
  });

  it("lets a stream open across the age limit finish within the grace", async () => {
    const { grpcServer, target } = await serveWithProxy({ ms: 300, graceMs: 10_000 });
    const Health = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, "Health");
    const client = new Health(target, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const statuses: unknown[] = [];
    const stream = (
      client as unknown as { watch(request: object): grpc.ClientReadableStream<{ status: unknown }> }
    ).watch({ service: "" });
    let failed: unknown;
    stream.on("data", (message) => statuses.push(message.status));
    stream.on("error", (error) => {
      failed = error;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    grpcServer.health.setStatus("", "NOT_SERVING");
    await new Promise((resolve) => setTimeout(resolve, 200));
    stream.cancel();
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    expect(failed === undefined || (failed as grpc.ServiceError).code === grpc.status.CANCELLED).toBe(true);
  });
});
