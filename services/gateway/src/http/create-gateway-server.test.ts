import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { createLogger } from "@migrate/logger";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Route } from "../rest/rest-router.ts";
import { sendJson } from "../rest/send-json.ts";
import { createGatewayServer, type GatewayServer } from "./create-gateway-server.ts";

const logger = createLogger({ service: "test", level: "silent" });

const routes: Route[] = [
  {
    method: "GET",
    template: "/bug",
    async handle() {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    },
  },
  {
    method: "GET",
    template: "/streams-fail",
    async handle(ctx) {
      // Errors emitted on the request and response streams with nobody else listening.
      ctx.req.emit("error", new Error("aborted"));
      ctx.res.emit("error", new Error("write after end"));
      sendJson(ctx.res, 200, { ok: true });
    },
  },
  {
    method: "POST",
    template: "/upload",
    async handle(ctx) {
      let bytes = 0;
      for await (const chunk of ctx.req) bytes += (chunk as Buffer).length;
      sendJson(ctx.res, 200, { bytes });
    },
  },
];

let gateway: GatewayServer;
let base: string;
let port: number;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  gateway = createGatewayServer({
    routes,
    connect: () => {
      throw new Error("connect handler bug");
    },
    metrics: { observe: () => {} },
    logger,
    limits: { bodyTimeoutMs: 600, bodyMinBytes: 64 },
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  port = (gateway.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.close(100);
});
beforeEach(() => {
  uncaught.length = 0;
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
});
afterEach(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
});

/** Sends `pieces` on a raw connection, `everyMs` apart, and returns everything read until it closes. */
function raw(pieces: string[], everyMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let next = 0;
    const timer = setInterval(() => {
      if (next < pieces.length && socket.writable) socket.write(pieces[next++] as string);
    }, everyMs);
    socket.on("connect", () => {
      if (next < pieces.length) socket.write(pieces[next++] as string);
    });
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearInterval(timer);
      resolve(text);
    });
    // Generous: a loaded machine (the suite with coverage) can be slow to answer.
    setTimeout(() => socket.destroy(), 15_000);
  });
}

describe("createGatewayServer: no request takes the process down", () => {
  it("answers a handler's own bug with a bare 500, and the next request as usual", async () => {
    const res = await fetch(`${base}/bug`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "INTERNAL", message: "internal error", details: {} } });
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect(uncaught).toEqual([]);
  });

  it("answers 500 when the Connect handler throws as it is called", async () => {
    const res = await fetch(`${base}/migrate.gateway.v1.FlowsService/ListFlows`, { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INTERNAL");
    expect(uncaught).toEqual([]);
  });

  it("survives error events on the request and response streams", async () => {
    const res = await fetch(`${base}/streams-fail`);
    expect(res.status).toBe(200);
    expect(uncaught).toEqual([]);
  });

  it("answers a trickling body 408 and closes, but takes a body that keeps coming", async () => {
    const head = "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n";
    const trickle = await raw([head, "a", "b", "c", "d", "e", "f", "g", "h"], 200);
    expect(trickle).toMatch(/^HTTP\/1\.1 408 /);
    expect(trickle).toMatch(/\r\nconnection: close\r\n/i);
    expect(trickle).toContain('"code":"DEADLINE_EXCEEDED"');
    expect(trickle).toContain("the request body stalled: less than 64 bytes arrived in 600 ms");

    const steady = await raw(
      [
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
        ...Array(10).fill("x".repeat(100)),
      ],
      100,
    );
    expect(steady).toMatch(/^HTTP\/1\.1 200 /);
    expect(steady).toContain('{"bytes":1000}');
    expect(uncaught).toEqual([]);
  });

  it("answers what the HTTP parser refuses in the JSON error shape", async () => {
    const answer = await raw(["NOT HTTP AT ALL\r\n\r\n"]);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\r\nx-content-type-options: nosniff\r\n/);
    expect(answer).toContain('{"error":{"code":"INVALID_ARGUMENT","message":"malformed HTTP request","details":{}}}');
  });
});

describe("createGatewayServer: draining", () => {
  it("keeps answering during the drain, with Connection: close, and reports it", async () => {
    expect(gateway.draining()).toBe(false);
    const drained = gateway.drain(300);
    expect(gateway.draining()).toBe(true);
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get("connection")).toBe("close");
    await drained;
  });
});
