/**
 * Hostile callers against a whole mesh (five real processes): the auth and tenant matrix over
 * every REST route, every RPC of every internal gRPC port without the mesh's credentials,
 * injection strings in every parameter, and viewers writing. Each case asserts the status, the
 * error code and its message; afterwards nothing was stored for the attacker and every process
 * still answers. Part of `npm run test:hostile`.
 */

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { checkHealth, createMeshCredentials, grpcServiceDefinition, MESH_TOKEN_METADATA } from "@migrate/grpc";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";

let d: DiscoveryMesh;
let owner: string;
let attacker: string;
let ownerToken: string;
let attackerToken: string;
let flowId: string;

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  d = await startDiscoveryMesh({ gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" } });
  owner = d.tenant("owner");
  attacker = d.tenant("attacker");
  ownerToken = await d.token(owner);
  attackerToken = await d.token(attacker);
  const created = await d.api("/v1/flows?name=owned", ownerToken, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: "Server Name,CPU Cores,Memory (GB)\nweb01,4,16\ndb01,8,32\n",
  });
  expect(created.status).toBe(201);
  flowId = ((await created.json()) as { flow: { id: string } }).flow.id;
}, 120_000);
afterAll(async () => {
  await d?.stop();
});

/** Every REST route that needs a token, with the flow id of the owner where it takes one. */
function routes(id: () => string): Array<{ method: string; path: () => string; body?: string }> {
  const flowPath = (suffix: string) => () => `/v1/flows/${id()}${suffix}`;
  return [
    { method: "GET", path: () => "/v1/flows" },
    { method: "POST", path: () => "/v1/flows?name=x", body: "Server Name\nweb01\n" },
    { method: "GET", path: flowPath("") },
    { method: "GET", path: flowPath("/events") },
    { method: "POST", path: flowPath("/pause") },
    { method: "POST", path: flowPath("/resume") },
    { method: "POST", path: flowPath("/cancel") },
    { method: "POST", path: flowPath("/retry") },
    { method: "GET", path: flowPath("/mappings") },
    { method: "POST", path: flowPath("/mappings/approve"), body: "{}" },
    { method: "GET", path: flowPath("/assets") },
    { method: "GET", path: flowPath("/applications") },
    { method: "GET", path: flowPath("/dependencies") },
    { method: "GET", path: flowPath("/export") },
    { method: "GET", path: flowPath("/timeline") },
    { method: "GET", path: () => "/v1/usage" },
    { method: "GET", path: () => "/v1/usage/budget" },
    { method: "PUT", path: () => "/v1/usage/budget", body: '{"monthly_limit_usd":1}' },
    { method: "GET", path: () => "/v1/pricing" },
    { method: "PUT", path: () => "/v1/pricing", body: "{}" },
    { method: "GET", path: () => "/v1/learning/patterns" },
    { method: "DELETE", path: () => `/v1/learning/patterns/${UNKNOWN_ID}` },
    { method: "POST", path: () => "/v1/learning/corrections", body: "{}" },
  ];
}
const ROUTES = routes(() => flowId);
/** The same routes with `{id}` in place of the flow id, to name the cases before the flow exists. */
const LABELS = routes(() => "{id}").map((route) => `${route.method} ${route.path()}`);
const labelled = (keep: (label: string) => boolean) =>
  ROUTES.flatMap((route, index) => (keep(LABELS[index] ?? "") ? [[LABELS[index] ?? "", route] as const] : []));

async function call(route: (typeof ROUTES)[number], authorization?: string) {
  const res = await fetch(`${d.mesh.gatewayUrl}${route.path()}`, {
    method: route.method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(route.body === undefined
        ? {}
        : { "content-type": route.body.startsWith("{") ? "application/json" : "text/csv" }),
    },
    body: route.body,
  });
  const text = await res.text();
  let body: { error?: { code?: string; message?: string } } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // An event stream or CSV: only a success is not JSON, and the cases below expect errors.
  }
  return { status: res.status, error: body.error };
}

async function forged(claims: Record<string, unknown>, secret: string, expiresIn = "5m"): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("mallory")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("REST: who may call", () => {
  const badTokens: Array<[string, () => Promise<string | undefined>, string]> = [
    ["no token", async () => undefined, "missing bearer token"],
    ["a malformed header", async () => "Bearer not.a.jwt", ""],
    [
      "a token signed with another secret",
      async () => `Bearer ${await forged({ client_account_id: owner }, "x".repeat(40))}`,
      "",
    ],
    [
      "an expired token",
      async () => `Bearer ${await forged({ client_account_id: owner }, d.mesh.jwtSecret, "-2m")}`,
      "",
    ],
  ];
  for (const [label, authorization, message] of badTokens) {
    it.each(labelled(() => true))(`answers 401 to ${label}: %s`, async (_name, route) => {
      const answer = await call(route, await authorization());
      expect(answer.status).toBe(401);
      expect(answer.error?.code).toBe("UNAUTHENTICATED");
      if (message) expect(answer.error?.message).toBe(message);
      else expect(answer.error?.message).toMatch(/token/);
    });
  }

  it.each(labelled((label) => label.includes("{id}")))(
    "answers another tenant 404 on the owner's flow: %s",
    async (_name, route) => {
      const answer = await call(route, `Bearer ${attackerToken}`);
      expect(answer.status).toBe(404);
      expect(answer.error?.code).toBe("NOT_FOUND");
      expect(answer.error?.message).toMatch(/not found|no events for this flow/);
    },
  );

  it.each(labelled((label) => !label.startsWith("GET")))(
    "refuses a viewer's write with 403: %s",
    async (_name, route) => {
      const viewer = await d.token(attacker, ["viewer"]);
      const answer = await call(route, `Bearer ${viewer}`);
      expect(answer.status).toBe(403);
      expect(answer.error?.code).toBe("PERMISSION_DENIED");
      expect(answer.error?.message).toMatch(/role/);
    },
  );
});

const INJECTION_VALUES = [
  "' OR '1'='1",
  "1; DROP TABLE flows;--",
  "../../../../etc/passwd",
  "%00",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the log4shell lookup, verbatim
  "${jndi:ldap://x}",
  "x".repeat(5_000),
  "\u202e\u0000",
];

describe("REST: injection strings in every parameter", () => {
  it.each(INJECTION_VALUES.map((value) => [value.slice(0, 30), value]))("as a flow id: %s", async (_label, value) => {
    for (const suffix of ["", "/mappings", "/assets", "/export", "/timeline", "/events"]) {
      const res = await d.api(`/v1/flows/${encodeURIComponent(value)}${suffix}`, attackerToken);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([400, 404, 414]).toContain(res.status);
      expect(["INVALID_ARGUMENT", "NOT_FOUND"]).toContain(body.error.code);
    }
  });
  it.each(INJECTION_VALUES.map((value) => [value.slice(0, 30), value]))(
    "as query values: %s",
    async (_label, value) => {
      const query = encodeURIComponent(value);
      for (const path of [
        `/v1/flows?status=${query}`,
        `/v1/flows?limit=${query}`,
        `/v1/flows?cursor=${query}`,
        `/v1/flows/${flowId}/assets?cursor=${query}`,
        `/v1/flows/${flowId}/export?format=${query}`,
        `/v1/usage?from=${query}`,
        `/v1/usage?group_by=${query}`,
        `/v1/learning/patterns?type=${query}`,
        `/v1/flows/${flowId}/assets?strategy=${query}`,
      ]) {
        const token = path.includes(flowId) ? ownerToken : attackerToken;
        const res = await d.api(path, token);
        expect(res.status, path).toBe(400);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("INVALID_ARGUMENT");
        expect(body.error.message.length).toBeGreaterThan(0);
      }
    },
  );
});

/** One raw call of `method` with exactly `metadata`, as any process reaching the port could make. */
function rawCall(port: number, service: DescService, method: DescMethod, metadata: grpc.Metadata) {
  const definition = grpcServiceDefinition(service as never)[method.localName];
  if (!definition) throw new Error(`${service.typeName}.${method.name} has no definition`);
  const channel = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const request = create(method.input, {});
  const options = { deadline: Date.now() + 10_000 };
  return new Promise<{ code: number; details: string }>((resolve) => {
    const done = (status: { code: number; details: string }) => {
      channel.close();
      resolve({ code: status.code, details: status.details });
    };
    const onUnary = (error: grpc.ServiceError | null) => done(error ?? { code: grpc.status.OK, details: "" });
    const { path, requestSerialize: ser, responseDeserialize: de } = definition;
    if (method.methodKind === "unary") channel.makeUnaryRequest(path, ser, de, request, metadata, options, onUnary);
    else if (method.methodKind === "client_streaming") {
      channel.makeClientStreamRequest(path, ser, de, metadata, options, onUnary).end();
    } else {
      const call =
        method.methodKind === "server_streaming"
          ? channel.makeServerStreamRequest(path, ser, de, request, metadata, options)
          : channel.makeBidiStreamRequest(path, ser, de, metadata, options);
      call.on("data", () => {});
      call.on("error", () => {});
      call.on("status", done);
      if (method.methodKind === "bidi_streaming") (call as grpc.ClientDuplexStream<unknown, unknown>).end();
    }
  });
}

describe("gRPC ports: a tenant or role is believed only with the mesh's credentials", () => {
  const services = [
    ["flow", FlowService],
    ["agent", AgentService],
    ["learning", LearningService],
    ["telemetry", TelemetryService],
  ] as const;
  const cases = services.flatMap(([name, service]) =>
    (service as unknown as DescService).methods.map(
      (method) => [`${name} ${method.name}`, name, service, method] as const,
    ),
  );

  it.each(cases)("refuses %s asserted in plain metadata", async (_label, name, service, method) => {
    const md = new grpc.Metadata();
    md.set("x-client-account-id", owner);
    md.set("x-roles", "admin");
    const answer = await rawCall(d.mesh.ports.grpc[name], service as unknown as DescService, method, md);
    expect(answer.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(answer.details).toBe("missing mesh credentials (x-mesh-token)");
  });

  it.each(cases)("refuses %s with a token signed by another key", async (_label, name, service, method) => {
    const impostor = createMeshCredentials({ secret: "an-impostor-key-that-is-long-enough-0", issuer: "mallory" });
    const md = new grpc.Metadata();
    md.set(
      MESH_TOKEN_METADATA,
      await impostor.sign({ clientAccountId: owner, engagementId: "", userId: "m", requestId: "", roles: ["admin"] }),
    );
    const answer = await rawCall(d.mesh.ports.grpc[name], service as unknown as DescService, method, md);
    expect(answer.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(answer.details).toBe("invalid mesh credentials");
  });
});

describe("REST: injection strings in free-text filters", () => {
  it.each(INJECTION_VALUES.map((value) => [value.slice(0, 30), value]))(
    "as an application key: %s",
    async (_l, value) => {
      const res = await d.api(`/v1/flows/${flowId}/assets?application=${encodeURIComponent(value)}`, ownerToken);
      expect([200, 400]).toContain(res.status);
      const body = (await res.json()) as { assets?: unknown[]; error?: { code: string } };
      if (res.status === 200) expect(body.assets).toEqual([]);
      else expect(body.error?.code).toBe("INVALID_ARGUMENT");
    },
  );
});

describe("after the attacks", () => {
  it("stored nothing for the attacker and left the owner's flow as it was", async () => {
    const mine = (await (await d.api("/v1/flows", attackerToken)).json()) as { flows: unknown[] };
    expect(mine.flows).toEqual([]);
    const owned = await d.api(`/v1/flows/${flowId}`, ownerToken);
    expect(owned.status).toBe(200);
    expect(((await owned.json()) as { flow: { status: string } }).flow.status).not.toBe("cancelled");
  });

  it("every process still answers", async () => {
    for (const name of ["flow", "agent", "learning", "telemetry"] as const) {
      expect(await checkHealth(`127.0.0.1:${d.mesh.ports.grpc[name]}`, "", 2_000)).toBe("SERVING");
    }
    expect((await fetch(`${d.mesh.gatewayUrl}/healthz`)).status).toBe(200);
  });
});
