import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayStack, startGatewayStack } from "./support/gateway-stack.ts";

const MAX_UPLOAD = 256 * 1024;
const CSV = "hostname,ip_address,cpu_cores,memory_gb\nweb-01,10.0.0.1,4,16\ndb-01,10.0.0.2,8,64\n";
const JSON_INVENTORY = JSON.stringify([
  { hostname: "app-01", os: "RHEL 8" },
  { hostname: "app-02", os: "Windows 2019" },
  { hostname: "app-03", os: "Ubuntu 22.04" },
]);

interface FlowBody {
  id: string;
  client_account_id: string;
  name: string;
  status: string;
  phase: string | null;
  raw_record_count: number;
  source_format: string;
  source_filename: string;
  columns: string[];
  created_by: string;
}
interface Answer {
  status: number;
  headers: Headers;
  body: {
    flow: FlowBody;
    flows: FlowBody[];
    next_cursor: string | null;
    error: { code: string; message: string; details: Record<string, unknown> };
  };
}

let stack: GatewayStack;
beforeAll(async () => {
  stack = await startGatewayStack({ maxUploadBytes: MAX_UPLOAD });
});
afterAll(async () => {
  await stack?.cleanup();
});

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await fetch(`${stack.gatewayUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

function postCsv(
  token: string,
  body: RequestInit["body"],
  init: { name?: string; headers?: Record<string, string> } = {},
) {
  const query = init.name ? `?name=${encodeURIComponent(init.name)}` : "";
  return call(`/v1/flows${query}`, {
    method: "POST",
    token,
    headers: { "content-type": "text/csv", ...init.headers },
    body,
  });
}

async function listAll(token: string): Promise<FlowBody[]> {
  const res = await call("/v1/flows?limit=200", { token });
  expect(res.status).toBe(200);
  return res.body.flows;
}

describe("authentication", () => {
  it("answers 401 with a named reason and a Bearer challenge", async () => {
    const client = stack.tenant("auth");
    const cases: Array<[string, Record<string, string>]> = [
      ["missing bearer token", {}],
      ["malformed authorization header; expected 'Bearer <token>'", { authorization: "Basic Zm9vOmJhcg==" }],
      ["malformed token", { authorization: "Bearer abc.def.ghi" }],
      ["token expired", { authorization: `Bearer ${await stack.token(client, { expiresIn: -120 })}` }],
    ];
    const forged = await new SignJWT({ client_account_id: client })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("not-the-gateway-secret-at-all-0123"));
    cases.push(["token signature is invalid", { authorization: `Bearer ${forged}` }]);
    const noTenant = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("bob")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(stack.secret));
    cases.push(["token missing claim client_account_id", { authorization: `Bearer ${noTenant}` }]);

    for (const [message, headers] of cases) {
      const res = await call("/v1/flows", { headers });
      expect(res.status, message).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(res.body.error).toMatchObject({ code: "UNAUTHENTICATED", message });
    }
    // Creating is refused before any of the body is used.
    const create = await postCsv("", CSV);
    expect(create.status).toBe(401);
  });
});

describe("creating flows", () => {
  it("creates a flow from a raw text/csv body", async () => {
    const client = stack.tenant("csv");
    const token = await stack.token(client, { sub: "alice" });
    const res = await postCsv(token, CSV, { name: "Estate A" });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/v1/flows/${res.body.flow.id}`);
    expect(res.body.flow).toMatchObject({
      client_account_id: client,
      name: "Estate A",
      raw_record_count: 2,
      source_format: "csv",
      columns: ["hostname", "ip_address", "cpu_cores", "memory_gb"],
      created_by: "alice",
    });
    expect(["pending", "running"]).toContain(res.body.flow.status);
    expect(res.body.flow.phase === null || /^[a-z_]+$/.test(res.body.flow.phase)).toBe(true);
  });

  it("creates a flow from a raw application/json body", async () => {
    const token = await stack.token(stack.tenant("json"));
    const res = await call("/v1/flows?name=Cloud%20export", {
      method: "POST",
      token,
      headers: { "content-type": "application/json" },
      body: JSON_INVENTORY,
    });
    expect(res.status).toBe(201);
    expect(res.body.flow).toMatchObject({ name: "Cloud export", raw_record_count: 3, source_format: "json" });
  });

  it("creates a flow from a multipart upload, streamed in many chunks", async () => {
    const token = await stack.token(stack.tenant("multipart"));
    // About 200 KiB: more than three 64 KiB chunks on the way to the flow service.
    const rows = Array.from({ length: 4_000 }, (_, i) => `host-${i},10.1.${i % 250}.${i % 200},2,8`).join("\n");
    const form = new FormData();
    form.append("name", "RVTools vInfo");
    form.append(
      "file",
      new Blob([`hostname,ip_address,cpu_cores,memory_gb\n${rows}\n`], { type: "text/csv" }),
      "vInfo.csv",
    );
    const res = await call("/v1/flows", { method: "POST", token, body: form });
    expect(res.status).toBe(201);
    expect(res.body.flow).toMatchObject({
      name: "RVTools vInfo",
      source_filename: "vInfo.csv",
      raw_record_count: 4_000,
    });
  });

  it("answers 400 for a missing body and 415 for an unsupported media type", async () => {
    const token = await stack.token(stack.tenant("bad-request"));
    const empty = await call("/v1/flows", { method: "POST", token, headers: { "content-type": "text/csv" } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("INVALID_ARGUMENT");
    const xml = await call("/v1/flows", {
      method: "POST",
      token,
      headers: { "content-type": "application/xml" },
      body: "<servers/>",
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("passes the flow service's row details through on a bad inventory, storing nothing", async () => {
    const client = stack.tenant("bad-csv");
    const token = await stack.token(client);
    const res = await postCsv(token, "hostname,cpu_cores\nweb-01,4\ndb-01,8,extra\n");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_ARGUMENT");
    expect(res.body.error.details).toMatchObject({ row: 2 });
    expect(await listAll(token)).toEqual([]);
  });

  it("refuses a multipart name sent after the file without creating the flow", async () => {
    const token = await stack.token(stack.tenant("late-name"));
    const form = new FormData();
    form.append("file", new Blob([CSV], { type: "text/csv" }), "a.csv");
    form.append("name", "too late");
    const res = await call("/v1/flows", { method: "POST", token, body: form });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("the name field must come before the file field");
    expect(await listAll(token)).toEqual([]);
  });
});

describe("upload size limit", () => {
  const oversized = () => {
    const line = `${"x".repeat(60)},1\n`;
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_UPLOAD * 4) return controller.close();
        const piece = new TextEncoder().encode(sent === 0 ? `hostname,cores\n${line.repeat(100)}` : line.repeat(100));
        sent += piece.length;
        controller.enqueue(piece);
      },
    });
  };

  it("answers 413 to a streamed body over the limit and stores nothing", async () => {
    const token = await stack.token(stack.tenant("too-big"));
    const res = await call("/v1/flows", {
      method: "POST",
      token,
      headers: { "content-type": "text/csv" },
      body: oversized(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: MAX_UPLOAD } });
    expect(await listAll(token)).toEqual([]);
  });

  it("answers 413 to an oversized multipart file and to a declared length over the limit", async () => {
    const token = await stack.token(stack.tenant("too-big-form"));
    const form = new FormData();
    form.append("file", new Blob([`a,b\n${"1,2\n".repeat(MAX_UPLOAD / 2)}`], { type: "text/csv" }), "big.csv");
    const multipart = await call("/v1/flows", { method: "POST", token, body: form });
    expect(multipart.status).toBe(413);
    const declared = await postCsv(token, "a,b\n".repeat(MAX_UPLOAD));
    expect(declared.status).toBe(413);
    expect(await listAll(token)).toEqual([]);
  });
});

describe("reading flows", () => {
  it("gets a flow by id and echoes the request id", async () => {
    const token = await stack.token(stack.tenant("get"));
    const created = await postCsv(token, CSV, { name: "to read" });
    const res = await call(`/v1/flows/${created.body.flow.id}`, { token, headers: { "x-request-id": "req-abc-123" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
    expect(res.body.flow).toMatchObject({ id: created.body.flow.id, name: "to read", raw_record_count: 2 });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers another tenant's flow exactly as an unknown one: 404", async () => {
    const owner = await stack.token(stack.tenant("owner"));
    const intruder = await stack.token(stack.tenant("intruder"));
    const created = await postCsv(owner, CSV);
    const id = created.body.flow.id;
    const unknownId = "00000000-0000-4000-8000-000000000000";
    const foreign = await call(`/v1/flows/${id}`, { token: intruder });
    const unknown = await call(`/v1/flows/${unknownId}`, { token: intruder });
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.error.code).toBe("NOT_FOUND");
    expect(foreign.body.error.message.replace(id, "<id>")).toBe(unknown.body.error.message.replace(unknownId, "<id>"));
    expect(await listAll(intruder)).toEqual([]);
    expect((await call(`/v1/flows/${id}`, { token: owner })).status).toBe(200);
  });

  it("lists a tenant's flows in pages", async () => {
    const token = await stack.token(stack.tenant("list"));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await postCsv(token, CSV, { name: `flow ${i}` })).body.flow.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await call(`/v1/flows?limit=2${query}`, { token });
      expect(page.status).toBe(200);
      expect(page.body.flows.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.flows.map((flow) => flow.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual([...ids].sort());
    const pending = await call("/v1/flows?status=pending&limit=200", { token });
    expect(pending.status).toBe(200);
    expect(pending.body.flows.every((flow) => flow.status === "pending")).toBe(true);
  });

  it("rejects an unknown status, listing the valid ones, and an out-of-range limit", async () => {
    const token = await stack.token(stack.tenant("list-bad"));
    const status = await call("/v1/flows?status=finished", { token });
    expect(status.status).toBe(400);
    expect(status.body.error.message).toContain(
      "pending, running, awaiting_input, paused, completed, failed, cancelled",
    );
    expect(status.body.error.details).toMatchObject({ field: "status", value: "finished" });
    expect((await call("/v1/flows?limit=0", { token })).status).toBe(400);
    expect((await call("/v1/flows?limit=201", { token })).status).toBe(400);
  });
});

describe("Idempotency-Key", () => {
  it("replays the first create for a retried request instead of creating a second flow", async () => {
    const token = await stack.token(stack.tenant("idem"));
    const headers = { "idempotency-key": "upload-2026-11-26-001" };
    const first = await postCsv(token, CSV, { name: "once", headers });
    const second = await postCsv(token, CSV, { name: "once", headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.flow.id).toBe(first.body.flow.id);
    expect((await listAll(token)).map((flow) => flow.id)).toEqual([first.body.flow.id]);
  });

  it("lets concurrent duplicates create exactly one flow", async () => {
    const token = await stack.token(stack.tenant("idem-race"));
    const headers = { "idempotency-key": "race-key" };
    const answers = await Promise.all(Array.from({ length: 6 }, () => postCsv(token, CSV, { headers })));
    const created = answers.filter((answer) => answer.status === 201);
    expect(created).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 201) continue;
      if (answer.status === 409) {
        expect(answer.body.error).toMatchObject({
          code: "CONFLICT",
          message: "request with this Idempotency-Key is in progress",
        });
      } else {
        expect(answer.status).toBe(200);
        expect(answer.body.flow.id).toBe(created[0]?.body.flow.id);
      }
    }
    expect(await listAll(token)).toHaveLength(1);
  });

  it("scopes keys per tenant and frees a key whose create failed", async () => {
    const a = await stack.token(stack.tenant("idem-a"));
    const b = await stack.token(stack.tenant("idem-b"));
    const headers = { "idempotency-key": "shared-key" };
    const fromA = await postCsv(a, CSV, { headers });
    const fromB = await postCsv(b, CSV, { headers });
    expect(fromA.status).toBe(201);
    expect(fromB.status).toBe(201);
    expect(fromB.body.flow.id).not.toBe(fromA.body.flow.id);

    const retryHeaders = { "idempotency-key": "fix-and-retry" };
    const failed = await postCsv(a, "hostname,cores\nweb,1,2\n", { headers: retryHeaders });
    expect(failed.status).toBe(400);
    const fixed = await postCsv(a, CSV, { headers: retryHeaders });
    expect(fixed.status).toBe(201);
  });
});

describe("metrics", () => {
  it("counts requests by route template and status", async () => {
    const text = await (await fetch(stack.metricsUrl)).text();
    expect(text).toMatch(
      /gateway_http_requests_total\{method="GET",route="\/v1\/flows\/\{id\}",status="404"[^}]*\} \d+/,
    );
    expect(text).toMatch(/gateway_http_requests_total\{method="POST",route="\/v1\/flows",status="201"[^}]*\} \d+/);
    expect(text).toContain("gateway_http_request_duration_seconds_bucket");
  });
});
