/**
 * The gateway against hostile requests, through its public surface (HTTP and raw sockets) with
 * the whole mesh behind it: requests that used to stop the process (a malformed percent-escape,
 * an unparseable request target, a multipart body cut short, a Connect call without Host),
 * malformed HTTP, slow clients, viewers writing, and the security headers of every kind of
 * answer. Each case asserts what the caller sees, that nothing was stored, and that the same
 * gateway process still answers.
 */
import { connect } from "node:net";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { LearningService } from "@migrate/gen/gateway/v1/learning_pb";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { type DiscoveryMesh, readEvents, startDiscoveryMesh, uploadForm } from "./support/discovery-mesh.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
type Body = any;

let d: DiscoveryMesh;
let port: number;
let gatewayPid: number | undefined;
let tenant: string;
let analyst: string;
let viewer: string;
let roleless: string;
/** A flow of `tenant` stopped for the mapping review (awaiting_input). */
let reviewFlowId: string;

const NAMELESS_COLUMN = "Zq7";
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cross-origin-resource-policy": "same-origin",
};

beforeAll(async () => {
  // Default header and body timeouts (they are under test); quick heartbeats to see a stream live.
  d = await startDiscoveryMesh({ gatewayEnv: { SSE_HEARTBEAT_MS: "1000", RATE_LIMIT_PER_MINUTE: "100000" } });
  port = d.mesh.ports.gatewayHttp;
  gatewayPid = d.mesh.services.gateway?.child.pid;
  tenant = d.tenant("hostile");
  [analyst, viewer, roleless] = await Promise.all([
    d.token(tenant, ["analyst"]),
    d.token(tenant, ["viewer"]),
    d.token(tenant, []),
  ]);
  // Its name column has a name nothing maps: the flow waits for a person whatever the mapper learns.
  const { inventoryCsv } = generateSample({ servers: 300, seed: 3 });
  const created = await d.api("/v1/flows", analyst, {
    method: "POST",
    body: uploadForm(inventoryCsv.replace("Server Name", NAMELESS_COLUMN)),
  });
  expect(created.status).toBe(201);
  reviewFlowId = ((await created.json()) as Body).flow.id;
  await waitForStatus(reviewFlowId, "awaiting_input");
});
afterAll(async () => {
  await d?.stop();
});

async function waitForStatus(flowId: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const flow = ((await (await d.api(`/v1/flows/${flowId}`, analyst)).json()) as Body).flow;
    if (flow.status === status) return;
    if (Date.now() > deadline) throw new Error(`flow ${flowId} is ${flow.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function json(res: Response): Promise<{ status: number; headers: Headers; body: Body }> {
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** The tenant's flows, to show an upload that was refused stored nothing. */
async function flowIds(token: string): Promise<string[]> {
  const listed = await json(await d.api("/v1/flows?limit=100", token));
  expect(listed.status).toBe(200);
  return listed.body.flows.map((flow: { id: string }) => flow.id);
}

/** The same gateway process (no restart) still answers. */
async function expectGatewayAlive(): Promise<void> {
  const gateway = d.mesh.services.gateway;
  expect(gateway?.child.exitCode).toBeNull();
  expect(gateway?.child.pid).toBe(gatewayPid);
  expect((await fetch(`${d.mesh.gatewayUrl}/healthz`)).status).toBe(200);
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** When the server closed the connection, from the first byte sent. */
  closedAfterMs: number;
}

/**
 * Sends `pieces` on a fresh connection, one every `everyMs`, and reads what comes back until the
 * server closes the connection (or `timeoutMs`): the first answer, parsed.
 */
function rawExchange(
  pieces: Array<string | Buffer>,
  options: { everyMs?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const started = Date.now();
    const received: Buffer[] = [];
    let next = 0;
    const send = () => {
      if (next < pieces.length && socket.writable) socket.write(pieces[next++] as string | Buffer);
    };
    const sender = setInterval(send, options.everyMs ?? 0);
    const timer = setTimeout(() => socket.destroy(new Error("no answer in time")), options.timeoutMs ?? 15_000);
    socket.on("connect", send);
    socket.on("data", (chunk) => received.push(chunk));
    // A reset after the answer (the server closed with our bytes unread) still leaves the answer.
    socket.on("error", (error) => {
      if (received.length === 0) reject(error);
    });
    socket.on("close", () => {
      clearInterval(sender);
      clearTimeout(timer);
      const text = Buffer.concat(received).toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(" ")[1] ?? 0),
        headers,
        body: end >= 0 ? text.slice(end + 4) : "",
        closedAfterMs: Date.now() - started,
      });
    });
  });
}

function connectClient<S extends DescService>(service: S, token?: string): Client<S> {
  const auth: Interceptor = (next) => (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(
    service,
    createConnectTransport({ baseUrl: d.mesh.gatewayUrl, httpVersion: "1.1", interceptors: [auth] }),
  );
}

async function connectFailure(call: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await call();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("requests that used to stop the gateway", () => {
  it("answers GET /v1/flows/%ff (not UTF-8) with 400, token or not", async () => {
    for (const headers of [{}, { authorization: `Bearer ${analyst}` }]) {
      const res = await json(await fetch(`${d.mesh.gatewayUrl}/v1/flows/%ff`, { headers }));
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: "INVALID_ARGUMENT",
        message: "malformed percent-encoding in the path: escapes must encode UTF-8",
        details: { field: "path", value: "%ff" },
      });
    }
    const events = await json(await d.api("/v1/flows/%E0%A4%A/events", analyst));
    expect(events.status).toBe(400);
    expect(events.body.error.code).toBe("INVALID_ARGUMENT");
    await expectGatewayAlive();
  });

  it("answers the raw request line GET //[ with 400 in the JSON error shape", async () => {
    const answer = await rawExchange(["GET //[ HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n"]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining("malformed request target"),
      details: { field: "path", value: "//[" },
    });
    // A well-formed but unknown API target is still a plain 404 (outside /v1 the console answers
    // its client routes), and the absolute form routes.
    expect((await rawExchange(["GET /v1//healthz HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n"])).status).toBe(404);
    const absolute = await rawExchange([
      `GET http://127.0.0.1:${port}/healthz HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n`,
    ]);
    expect(absolute.status).toBe(200);
    await expectGatewayAlive();
  });

  it("answers a multipart upload that ends without its closing boundary with 400 and stores nothing", async () => {
    const before = await flowIds(analyst);
    const truncated =
      "--cut\r\n" +
      'Content-Disposition: form-data; name="name"\r\n\r\ncut short\r\n' +
      "--cut\r\n" +
      'Content-Disposition: form-data; name="file"; filename="inventory.csv"\r\nContent-Type: text/csv\r\n\r\n' +
      "Server Name,CPU Cores\nweb01,4\ndb01,8\n";
    for (const body of [truncated, truncated.slice(0, 60), "--cut\r\nContent-Disp"]) {
      const res = await json(
        await d.api("/v1/flows", analyst, {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=cut" },
          body,
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("INVALID_ARGUMENT");
      expect(res.body.error.message).toMatch(/^malformed multipart body: |no file field/);
    }
    const noBoundary = await json(
      await d.api("/v1/flows", analyst, {
        method: "POST",
        headers: { "content-type": "multipart/form-data" },
        body: truncated,
      }),
    );
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.body.error.message).toMatch(/^malformed multipart body: /);
    expect(await flowIds(analyst)).toEqual(before);
    await expectGatewayAlive();
  });

  it("answers a Connect call without Host (HTTP/1.0) with 400 rather than throwing", async () => {
    const body = "{}";
    const answer = await rawExchange([
      `POST /migrate.gateway.v1.FlowsService/ListFlows HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "missing or malformed Host header",
    });
    await expectGatewayAlive();
  });
});

describe("malformed HTTP and other parse points", () => {
  it("answers what Node's parser refuses in the JSON error shape, with the security headers", async () => {
    const cases: Array<[string, Array<string | Buffer>, number, string]> = [
      ["a garbage request line", ["BLAH\r\n\r\n"], 400, "INVALID_ARGUMENT"],
      [
        "a header without a colon",
        ["GET /healthz HTTP/1.1\r\nHost: g\r\nno colon here\r\n\r\n"],
        400,
        "INVALID_ARGUMENT",
      ],
      [
        "both Content-Length and Transfer-Encoding",
        ["POST /v1/flows HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
        400,
        "INVALID_ARGUMENT",
      ],
      [
        "headers over 16 KiB",
        [`GET /healthz HTTP/1.1\r\nHost: g\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`],
        431,
        "PAYLOAD_TOO_LARGE",
      ],
      [
        "a request target over 16 KiB",
        [`GET /v1/flows?cursor=${"a".repeat(20_000)} HTTP/1.1\r\nHost: g\r\n\r\n`],
        431,
        "PAYLOAD_TOO_LARGE",
      ],
    ];
    for (const [label, pieces, status, code] of cases) {
      const answer = await rawExchange(pieces);
      expect(answer.status, label).toBe(status);
      expect(JSON.parse(answer.body).error.code, label).toBe(code);
      expect(answer.headers, label).toMatchObject({ ...SECURITY_HEADERS, connection: "close" });
    }
    await expectGatewayAlive();
  });

  it("refuses bad bodies, headers and query values with 400, 413 and 415 naming the culprit", async () => {
    const send = (path: string, init: RequestInit) => d.api(path, analyst, init).then(json);
    const badJson = await send("/v1/usage/budget", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"monthly_usd": ',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field: "body" } });
    const deep = await send("/v1/learning/corrections", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
    });
    expect(deep.status).toBe(400);
    const huge = await send("/v1/usage/budget", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ monthly_usd: "1", pad: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const xml = await send("/v1/usage/budget", {
      method: "PUT",
      headers: { "content-type": "application/xml" },
      body: "<budget/>",
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", details: { field: "content-type" } });
    const status = await send("/v1/flows?status=%zz%00", {});
    expect(status.status).toBe(400);
    expect(status.body.error.details.field).toBe("status");
    const resumeAt = await send(`/v1/flows/${reviewFlowId}/events`, { headers: { "last-event-id": "x".repeat(500) } });
    expect(resumeAt.status).toBe(400);
    expect(resumeAt.body.error.details.field).toBe("after");
    const idempotency = await send("/v1/flows", {
      method: "POST",
      headers: { "content-type": "text/csv", "idempotency-key": "é".repeat(300) },
      body: "Server Name\nweb01\n",
    });
    expect(idempotency.status).toBe(400);
    expect(idempotency.body.error.details.field).toBe("Idempotency-Key");
    const authorization = await json(
      await fetch(`${d.mesh.gatewayUrl}/v1/flows`, { headers: { authorization: `Bearer ${"%".repeat(5_000)}` } }),
    );
    expect(authorization.status).toBe(401);
    expect(authorization.body.error.code).toBe("UNAUTHENTICATED");
    await expectGatewayAlive();
  });
});

describe("slow clients", () => {
  it("cuts headers sent a byte a second and a trickling body after about 10 s, but not a live event stream or an upload that keeps sending", async () => {
    const before = await flowIds(analyst);
    // An event stream that has to stay open for the whole test (follow: it never ends by itself).
    const streamAbort = new AbortController();
    const stream = await d.api(`/v1/flows/${reviewFlowId}/events?follow=true`, analyst, {
      signal: streamAbort.signal,
    });
    expect(stream.status).toBe(200);
    let streamEnded = false;
    const streamDone = readEvents(stream).finally(() => {
      streamEnded = true;
    });

    const slowHeaders = rawExchange(
      [..."GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: one-byte-a-second\r\n\r\n"],
      {
        everyMs: 1_000,
        timeoutMs: 25_000,
      },
    );
    const head = `POST /v1/flows?name=trickle HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer ${analyst}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nServer Name\n`;
    const trickle = rawExchange([head, ..."web01\nweb02\nweb03\nweb04\nweb05\n"], {
      everyMs: 1_000,
      timeoutMs: 25_000,
    });

    // 50 KB over about 14 s, a few KB every 300 ms: slower than any real link, faster than the floor.
    const rows = Array.from({ length: 46 }, (_, batch) =>
      Array.from({ length: 60 }, (_, i) => `steady-${batch}-${i},${i % 16}\n`).join(""),
    );
    const steady = fetch(`${d.mesh.gatewayUrl}/v1/flows?name=steady`, {
      method: "POST",
      headers: { authorization: `Bearer ${analyst}`, "content-type": "text/csv" },
      duplex: "half",
      body: new ReadableStream({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("Server Name,CPU Cores\n"));
          for (const batch of rows) {
            await new Promise((resolve) => setTimeout(resolve, 300));
            controller.enqueue(new TextEncoder().encode(batch));
          }
          controller.close();
        },
      }),
    } as RequestInit).then(json);

    const headersAnswer = await slowHeaders;
    expect(headersAnswer.status).toBe(408);
    expect(JSON.parse(headersAnswer.body).error).toMatchObject({
      code: "DEADLINE_EXCEEDED",
      message: "the request was not received in time",
    });
    expect(headersAnswer.closedAfterMs).toBeGreaterThan(9_000);
    expect(headersAnswer.closedAfterMs).toBeLessThan(13_000);

    const bodyAnswer = await trickle;
    expect(bodyAnswer.status).toBe(408);
    expect(JSON.parse(bodyAnswer.body).error).toMatchObject({
      code: "DEADLINE_EXCEEDED",
      message: "the request body stalled: less than 1024 bytes arrived in 10000 ms",
    });
    expect(bodyAnswer.headers.connection).toBe("close");
    expect(bodyAnswer.closedAfterMs).toBeLessThan(14_000);

    const created = await steady;
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.flow).toMatchObject({ name: "steady", raw_record_count: 46 * 60 });

    // The stream outlived both timeouts.
    expect(streamEnded).toBe(false);
    streamAbort.abort();
    await streamDone.catch(() => {});

    // The trickling upload stored nothing; only the steady one is new.
    expect((await flowIds(analyst)).filter((id) => !before.includes(id))).toEqual([created.body.flow.id]);
    await expectGatewayAlive();
  }, 30_000);
});

describe("roles: a viewer reads, only an analyst or admin writes", () => {
  const writes: Array<[string, string, string, unknown?]> = [
    ["POST", "/v1/flows?name=viewer", "text/csv"],
    ["POST", "/v1/flows/{id}/pause", ""],
    ["POST", "/v1/flows/{id}/resume", ""],
    ["POST", "/v1/flows/{id}/cancel", ""],
    ["POST", "/v1/flows/{id}/retry", ""],
    ["POST", "/v1/flows/{id}/mappings/approve", "application/json", { corrections: [] }],
    ["PUT", "/v1/usage/budget", "application/json", { monthly_usd: "1.00" }],
    ["PUT", "/v1/pricing", "application/json", { provider: "x", model: "y" }],
    ["DELETE", "/v1/learning/patterns/00000000-0000-4000-8000-000000000000", ""],
    [
      "POST",
      "/v1/learning/corrections",
      "application/json",
      { corrections: [{ source_field: "Computer", target_field: "asset_name" }] },
    ],
  ];

  it.each(writes)(
    "refuses %s %s to a viewer and to a token without roles with 403",
    async (method, path, type, body) => {
      for (const token of [viewer, roleless]) {
        const res = await json(
          await d.api(path.replace("{id}", reviewFlowId), token, {
            method,
            ...(type ? { headers: { "content-type": type } } : {}),
            ...(body !== undefined
              ? { body: JSON.stringify(body) }
              : type === "text/csv"
                ? { body: "Server Name\nx\n" }
                : {}),
          }),
        );
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          code: "PERMISSION_DENIED",
          message: expect.stringContaining("needs the analyst or admin role"),
          details: { roles: ["analyst", "admin"] },
        });
      }
    },
  );

  it("changed nothing: the flow still awaits its review, no flow, budget or pattern was added", async () => {
    const flow = (await json(await d.api(`/v1/flows/${reviewFlowId}`, viewer))).body.flow;
    expect(flow.status).toBe("awaiting_input");
    expect((await json(await d.api(`/v1/flows/${reviewFlowId}/mappings`, viewer))).body.awaiting_approval).toBe(true);
    expect((await flowIds(viewer)).length).toBeGreaterThan(0);
    expect(
      ((await json(await d.api("/v1/flows?limit=100", viewer))).body.flows as Array<{ name: string }>).map(
        (f) => f.name,
      ),
    ).not.toContain("viewer");
    expect((await json(await d.api("/v1/usage/budget", viewer))).body.budget).toMatchObject({ has_budget: false });
    expect((await json(await d.api("/v1/learning/patterns", viewer))).body.patterns).toEqual([]);
  });

  it("lets a viewer read everything its tenant has", async () => {
    for (const path of [
      "/v1/flows",
      `/v1/flows/${reviewFlowId}`,
      `/v1/flows/${reviewFlowId}/mappings`,
      `/v1/flows/${reviewFlowId}/issues`,
      `/v1/flows/${reviewFlowId}/timeline`,
      "/v1/usage",
      "/v1/usage/budget",
      "/v1/learning/patterns",
    ]) {
      expect((await d.api(path, viewer)).status, path).toBe(200);
    }
    const events = await d.api(`/v1/flows/${reviewFlowId}/events`, viewer);
    expect(events.status).toBe(200);
    await events.body?.cancel();
  });

  it("refuses the same writes over Connect with permission_denied, and serves the reads", async () => {
    const flows = connectClient(FlowsService, viewer);
    const usage = connectClient(UsageService, viewer);
    const learning = connectClient(LearningService, roleless);
    const refused = [
      () => flows.createFlow({ name: "viewer", contentType: "text/csv", content: new TextEncoder().encode("a\nb\n") }),
      () => flows.approveMappings({ flowId: reviewFlowId }),
      () => flows.cancelFlow({ flowId: reviewFlowId }),
      () => flows.pauseFlow({ flowId: reviewFlowId }),
      () => flows.resumeFlow({ flowId: reviewFlowId }),
      () => flows.retryFlow({ flowId: reviewFlowId }),
      () => usage.setBudget({ monthlyUsd: "1.00" }),
      () => usage.setPricing({}),
      () => learning.deletePattern({ patternId: "00000000-0000-4000-8000-000000000000" }),
      () => learning.submitCorrections({ corrections: [{ sourceField: "Computer", targetField: "asset_name" }] }),
    ];
    for (const call of refused) {
      const error = await connectFailure(call);
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toContain("needs the analyst or admin role");
    }
    expect((await flows.getFlow({ flowId: reviewFlowId })).flow?.id).toBe(reviewFlowId);
    expect((await flows.getMappings({ flowId: reviewFlowId })).mappings?.awaitingApproval).toBe(true);
    expect((await usage.getBudget({})).budget?.hasBudget).toBe(false);
  });

  it("lets an analyst approve what the viewer could not", async () => {
    const approved = await json(
      await d.api(`/v1/flows/${reviewFlowId}/mappings/approve`, analyst, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ corrections: [{ source_field: NAMELESS_COLUMN, target_field: "asset_name" }] }),
      }),
    );
    expect(approved.status).toBe(200);
    expect(approved.body.flow.status).toBe("running");
    await expectGatewayAlive();
  });
});

describe("security headers", () => {
  it("are on every kind of answer: REST, errors, 404, 405, health, events, export, Connect and raw refusals", async () => {
    const flowsUrl = `${d.mesh.gatewayUrl}/v1/flows`;
    const connectUrl = `${d.mesh.gatewayUrl}/migrate.gateway.v1.FlowsService/ListFlows`;
    const connectInit = (token?: string): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: "{}",
    });
    const answers: Array<[string, Response, number]> = [
      ["REST JSON", await d.api("/v1/flows", analyst), 200],
      ["REST 401", await fetch(flowsUrl), 401],
      ["REST 403", await d.api("/v1/flows/x/cancel", viewer, { method: "POST" }), 403],
      ["unknown route", await fetch(`${d.mesh.gatewayUrl}/v1/nowhere`), 404],
      ["wrong method", await fetch(flowsUrl, { method: "DELETE" }), 405],
      ["healthz", await fetch(`${d.mesh.gatewayUrl}/healthz`), 200],
      ["readyz", await fetch(`${d.mesh.gatewayUrl}/readyz`), 200],
      ["export", await d.api(`/v1/flows/${reviewFlowId}/export`, analyst), 0],
      ["Connect", await fetch(connectUrl, connectInit(analyst)), 200],
      ["Connect 401", await fetch(connectUrl, connectInit()), 401],
      ["Connect unknown", await fetch(`${d.mesh.gatewayUrl}/migrate.gateway.v1.FlowsService/Nope`, connectInit()), 404],
    ];
    for (const [label, res, status] of answers) {
      if (status) expect(res.status, label).toBe(status);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name), `${label}: ${name}`).toBe(value);
      if (res.headers.get("content-type")?.includes("json")) {
        expect(res.headers.get("cache-control"), label).toBe("no-store");
      }
      await res.body?.cancel();
    }
    const events = await d.api(`/v1/flows/${reviewFlowId}/events`, analyst);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(events.headers.get(name), name).toBe(value);
    expect(events.headers.get("cache-control")).toBe("no-store");
    await events.body?.cancel();
    await expectGatewayAlive();
  });
});
