/**
 * The usage, budget, pricing and timeline API over REST and Connect against the whole mesh
 * (heuristic agents, so no usage is recorded here: llm-flow.test.ts has the traffic): what a
 * caller gets for bad input (400 naming the parameter), for pricing without the admin role
 * (403), and that one tenant never sees another's budget or flow timeline.
 */
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, startDiscoveryMesh, uploadForm } from "./support/discovery-mesh.ts";

let d: DiscoveryMesh;
let owner: string;
let other: string;
let analyst: string;
let admin: string;

beforeAll(async () => {
  d = await startDiscoveryMesh();
  owner = d.tenant("usage-owner");
  other = d.tenant("usage-other");
  analyst = await d.token(owner);
  admin = await d.token(d.tenant("usage-admin"), ["admin"]);
});
afterAll(async () => {
  await d?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
type Body = any;
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Body });
const get = async (path: string, token: string) => json(await d.api(path, token));
const put = async (path: string, token: string, body: unknown, contentType = "application/json") =>
  json(
    await d.api(path, token, {
      method: "PUT",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
const price = (overrides: Record<string, unknown> = {}) => ({
  price: {
    provider: "openai",
    model: "usage-api-model",
    input_usd_per_million: "0.25",
    output_usd_per_million: "1.125",
    effective_from: "2026-01-01",
    ...overrides,
  },
});

function usageClient(token: string): Client<typeof UsageService> {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(
    UsageService,
    createConnectTransport({ baseUrl: d.mesh.gatewayUrl, httpVersion: "1.1", interceptors: [auth] }),
  );
}

async function connectError(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("GET /v1/usage", () => {
  it("defaults to the current month by model, with exact zero totals for a tenant without LLM use", async () => {
    const { status, body } = await get("/v1/usage", analyst);
    expect(status).toBe(200);
    const monthStart = new Date();
    monthStart.setUTCDate(1);
    monthStart.setUTCHours(0, 0, 0, 0);
    expect(body).toMatchObject({ from: monthStart.toISOString(), group_by: "model", rows: [] });
    expect(Date.parse(body.to)).toBeLessThanOrEqual(Date.now());
    expect(body.total).toEqual({
      key: null,
      provider: null,
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: "0",
    });
    const byDay = await get("/v1/usage?from=2026-01-01&to=2026-02-01T00:00:00Z&group_by=day", analyst);
    expect(byDay.body).toMatchObject({
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-02-01T00:00:00.000Z",
      group_by: "day",
    });
  });

  it.each([
    ["from=yesterday", "from"],
    ["from=2026-13-45", "from"],
    ["to=2026-01-01T25:00:00Z", "to"],
    ["group_by=provider", "group_by"],
    ["from=2026-03-01&to=2026-02-01", "from"],
  ])("answers 400 naming the parameter for ?%s", async (query, field) => {
    const { status, body } = await get(`/v1/usage?${query}`, analyst);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field } });
    expect(body.error.message).toContain(field);
  });

  it("needs a token", async () => {
    const res = await fetch(`${d.mesh.gatewayUrl}/v1/usage`);
    expect(res.status).toBe(401);
  });
});

describe("/v1/usage/budget", () => {
  it("starts unset, keeps an exact decimal, and is the caller's alone", async () => {
    expect((await get("/v1/usage/budget", analyst)).body.budget).toMatchObject({
      has_budget: false,
      monthly_usd: null,
      remaining_usd: null,
      spent_this_month_usd: "0",
      exhausted: false,
    });
    const set = await put("/v1/usage/budget", analyst, { monthly_usd: "250.10" });
    expect(set.status).toBe(200);
    expect(set.body.budget).toMatchObject({
      has_budget: true,
      monthly_usd: "250.10",
      remaining_usd: "250.1",
      spent_this_month_usd: "0",
      exhausted: false,
      month: new Date().toISOString().slice(0, 7),
    });
    expect((await get("/v1/usage/budget", analyst)).body.budget.monthly_usd).toBe("250.10");
    // A budget of 0 is allowed: it stops all LLM use at once.
    expect((await put("/v1/usage/budget", analyst, { monthly_usd: "0" })).body.budget).toMatchObject({
      monthly_usd: "0.00",
      exhausted: true,
    });
    const elsewhere = await get("/v1/usage/budget", await d.token(other));
    expect(elsewhere.body.budget).toMatchObject({ has_budget: false, monthly_usd: null });
  });

  it.each([
    [{ monthly_usd: "-5" }, "must not be negative"],
    [{ monthly_usd: "-0.01" }, "must not be negative"],
    [{ monthly_usd: "lots" }, "decimal amount"],
    [{ monthly_usd: "1.234" }, "at most 2 decimals"],
    [{ monthly_usd: "" }, "decimal amount"],
    [{ monthly_usd: 250 }, "decimal string"],
    [{}, "decimal string"],
  ])("refuses %j with 400 naming monthly_usd", async (body, message) => {
    const res = await put("/v1/usage/budget", analyst, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field: "monthly_usd" } });
    expect(res.body.error.message).toContain(message);
  });

  it("refuses a missing, malformed or non-JSON body", async () => {
    expect((await json(await d.api("/v1/usage/budget", analyst, { method: "PUT" }))).body.error).toMatchObject({
      code: "INVALID_ARGUMENT",
      details: { field: "body" },
    });
    expect((await put("/v1/usage/budget", analyst, "{not json")).status).toBe(400);
    expect((await put("/v1/usage/budget", analyst, "monthly_usd=5", "application/x-www-form-urlencoded")).status).toBe(
      415,
    );
  });
});

describe("/v1/pricing", () => {
  it("is for admins only: 403 for anyone else, reading or writing", async () => {
    for (const res of [await get("/v1/pricing", analyst), await put("/v1/pricing", analyst, price())]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "PERMISSION_DENIED", details: { role: "admin" } });
    }
  });

  it("lists the seeded prices and records a new one (201), then updates it (200)", async () => {
    const seeded = await get("/v1/pricing?provider=openai&model=gpt-4o-mini", admin);
    expect(seeded.status).toBe(200);
    expect(seeded.body.prices).toEqual([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        input_usd_per_million: "0.15",
        output_usd_per_million: "0.6",
        currency: "USD",
        effective_from: "2025-01-01T00:00:00.000Z",
        effective_to: null,
      },
    ]);
    const created = await put("/v1/pricing", admin, price({ effective_to: "2026-07-01" }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      created: true,
      price: {
        provider: "openai",
        model: "usage-api-model",
        input_usd_per_million: "0.25",
        output_usd_per_million: "1.125",
        currency: "USD",
        effective_from: "2026-01-01T00:00:00.000Z",
        effective_to: "2026-07-01T00:00:00.000Z",
      },
    });
    const updated = await put(
      "/v1/pricing",
      admin,
      price({ input_usd_per_million: "0.3", effective_to: "2026-07-01" }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ created: false, price: { input_usd_per_million: "0.3" } });
    const listed = await get("/v1/pricing?model=usage-api-model", admin);
    expect(listed.body.prices).toHaveLength(1);
  });

  it("refuses dates that overlap another price of the same model with 400 naming the conflicting row", async () => {
    await put("/v1/pricing", admin, price({ model: "usage-api-overlap", effective_to: "2026-07-01" }));
    const overlap = await put(
      "/v1/pricing",
      admin,
      price({ model: "usage-api-overlap", effective_from: "2026-06-01", effective_to: null }),
    );
    expect(overlap.status).toBe(400);
    expect(overlap.body.error).toMatchObject({
      code: "INVALID_ARGUMENT",
      details: {
        field: "price.effective_from",
        conflicting_effective_from: "2026-01-01T00:00:00.000Z",
        conflicting_effective_to: "2026-07-01T00:00:00.000Z",
      },
    });
    // Adjacent is not overlapping: [from, to) ranges.
    const next = await put("/v1/pricing", admin, price({ model: "usage-api-overlap", effective_from: "2026-07-01" }));
    expect(next.status).toBe(201);
  });

  it.each([
    [{ input_usd_per_million: "-1" }, "price.input_usd_per_million"],
    [{ output_usd_per_million: "cheap" }, "price.output_usd_per_million"],
    [{ input_usd_per_million: 0.25 }, "price.input_usd_per_million"],
    [{ effective_from: "soon" }, "price.effective_from"],
    [{ effective_from: "" }, "price.effective_from"],
    [{ effective_to: "2025-06-01" }, "price.effective_to"],
    [{ currency: "EUR" }, "price.currency"],
    [{ provider: "Open AI" }, "price.provider"],
    [{ input_price: "1" }, "price.input_price"],
  ])("refuses %j with 400 naming %s", async (overrides, field) => {
    const res = await put("/v1/pricing", admin, price(overrides));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field } });
  });
});

describe("GET /v1/flows/{id}/timeline", () => {
  it("shows a flow's events in order to its owner, and 404 to another tenant", async () => {
    const csv = "hostname,cpu_cores,memory_gb,operating_system\nweb-01,4,16,Ubuntu 22.04\ndb-01,8,64,RHEL 8\n";
    const created = await json(await d.api("/v1/flows", analyst, { method: "POST", body: uploadForm(csv) }));
    expect(created.status).toBe(201);
    const flowId = created.body.flow.id;
    let timeline: Body;
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      timeline = await get(`/v1/flows/${flowId}/timeline`, analyst);
    } while (timeline.body.entries?.at(-1)?.type !== "flow.completed" && Date.now() < deadline);
    expect(timeline.status).toBe(200);
    const entries: Array<{ type: string; occurred_at: string; payload: unknown }> = timeline.body.entries;
    expect(timeline.body.flow_id).toBe(flowId);
    expect(entries[0]?.type).toBe("flow.created");
    expect(entries.at(-1)?.type).toBe("flow.completed");
    expect(entries.map((e) => e.occurred_at)).toEqual(entries.map((e) => e.occurred_at).sort());
    expect(entries[0]?.payload).toMatchObject({ raw_record_count: 2 });

    const stranger = await get(`/v1/flows/${flowId}/timeline`, await d.token(other));
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe("NOT_FOUND");
    expect((await get("/v1/flows/00000000-0000-0000-0000-000000000000/timeline", analyst)).status).toBe(404);
  });
});

describe("UsageService over Connect", () => {
  it("answers like REST: usage, budget, pricing and the same refusals", async () => {
    const client = usageClient(await d.token(d.tenant("usage-connect")));
    const usage = await client.getUsage({ groupBy: "agent" });
    expect(usage).toMatchObject({ groupBy: "agent", rows: [] });
    expect(usage.total).toMatchObject({ calls: 0n, costUsd: "0" });

    const badGroup = await connectError(client.getUsage({ groupBy: "tenant" }));
    expect(badGroup.code).toBe(Code.InvalidArgument);
    expect(badGroup.metadata.get("x-error-code")).toBe("INVALID_ARGUMENT");
    expect(JSON.parse(badGroup.metadata.get("x-error-details") ?? "{}")).toMatchObject({ field: "group_by" });

    const negative = await connectError(client.setBudget({ monthlyUsd: "-1" }));
    expect(negative.code).toBe(Code.InvalidArgument);
    expect(JSON.parse(negative.metadata.get("x-error-details") ?? "{}")).toMatchObject({ field: "monthly_usd" });
    const { budget } = await client.setBudget({ monthlyUsd: "12.5" });
    expect(budget).toMatchObject({ hasBudget: true, monthlyUsd: "12.50", remainingUsd: "12.5", exhausted: false });
    expect((await client.getBudget({})).budget?.monthlyUsd).toBe("12.50");

    expect((await connectError(client.listPricing({}))).code).toBe(Code.PermissionDenied);
    const admins = usageClient(admin);
    const { prices } = await admins.listPricing({ provider: "anthropic", model: "claude-haiku-4-5" });
    expect(prices).toMatchObject([{ inputUsdPerMillion: "1", outputUsdPerMillion: "5", effectiveTo: "" }]);
    const saved = await admins.setPricing({
      price: {
        provider: "deepinfra",
        model: "usage-connect-model",
        inputUsdPerMillion: "0.000001",
        outputUsdPerMillion: "2",
        effectiveFrom: "2026-01-01T00:00:00Z",
      },
    });
    expect(saved).toMatchObject({ created: true, price: { currency: "USD", inputUsdPerMillion: "0.000001" } });

    expect((await connectError(client.getFlowTimeline({ flowId: "no-such-flow" }))).code).toBe(Code.NotFound);
    expect((await connectError(client.getFlowTimeline({ flowId: "" }))).code).toBe(Code.InvalidArgument);
  });
});
