import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { isMeshError, type MeshError } from "@migrate/errors";
import {
  connectEvents,
  type EventBus,
  flowEventNames,
  publishEvent,
  type UsageEvent,
  usageEventNames,
} from "@migrate/events";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { type ClientHandle, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/free-port.ts";
import { waitFor } from "./support/wait-for.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const suffix = randomUUID().slice(0, 8);
const schema = withTestSchema("telemetry");
const usage = usageEventNames({ stream: `TUSAGE_${suffix}`, subjectPrefix: `tusage${suffix}.migrate.usage.v1` });
const flows = flowEventNames({ stream: `TFLOW_${suffix}`, subjectPrefix: `tflow${suffix}.migrate.flow.v1` });
const durable = `telemetry_${suffix}`;
const tenantOf = (prefix: string, roles: string[] = []): TenantContext => ({
  clientAccountId: `${prefix}_${suffix}`,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles,
});
const acme = tenantOf("acme");
const globex = tenantOf("globex");
const admin = tenantOf("ops", ["admin"]);
const database = createDb({ url: DATABASE_URL, schema, name: "telemetry-llm-test" });
let bus: EventBus;
let service: ServiceProcess;
let metricsUrl: string;
let telemetry: ClientHandle<typeof TelemetryService.method>;

function usageEvent(tenant: TenantContext, extra: Partial<UsageEvent> = {}): UsageEvent {
  return {
    event_id: randomUUID(),
    client_account_id: tenant.clientAccountId,
    engagement_id: "eng_1",
    flow_id: "flow-1",
    agent: "field_mapping",
    provider: "openai",
    model: "gpt-4o-mini",
    input_tokens: 1_000,
    output_tokens: 100,
    latency_ms: 42,
    outcome: "success",
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    occurred_at: new Date().toISOString(),
    ...extra,
  };
}

function publish(event: UsageEvent | string, msgID = typeof event === "string" ? randomUUID() : event.event_id) {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  const subject = usage.subject(typeof event === "string" ? acme.clientAccountId : event.client_account_id, "flow-1");
  return publishEvent(bus.js, { subject, data: new TextEncoder().encode(body), msgID });
}

function caughtUp() {
  return waitFor("the usage consumer to catch up", async () => {
    const info = await bus.jsm.consumers.info(usage.stream, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0 ? info : undefined;
  });
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return Number(line?.split(" ").pop() ?? 0);
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the call was expected to fail");
    },
    (error: unknown) => {
      if (!isMeshError(error)) throw error;
      return error as MeshError;
    },
  );

beforeAll(async () => {
  bus = await connectEvents({ servers: NATS_URL, name: "telemetry-llm-test" });
  const grpcPort = await freePort();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  service = await startService("telemetry", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      NATS_URL,
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${metricsPort}`,
      FLOW_EVENTS_STREAM: flows.stream,
      FLOW_EVENTS_SUBJECT_PREFIX: flows.subjects.slice(0, -2),
      USAGE_EVENTS_STREAM: usage.stream,
      USAGE_EVENTS_SUBJECT_PREFIX: usage.subjects.slice(0, -2),
      TELEMETRY_DURABLE: durable,
      TELEMETRY_ACK_WAIT_MS: "2000",
      LOG_LEVEL: "warn",
    },
  });
  telemetry = createClient(TelemetryService, `dns:///127.0.0.1:${grpcPort}`, {
    credentials: meshCredentials(service.env, "test"),
  });
});

afterAll(async () => {
  telemetry?.close();
  await service?.stop("SIGKILL");
  for (const stream of [usage.stream, flows.stream]) await bus?.jsm.streams.delete(stream).catch(() => false);
  await bus?.close();
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
  await database.close();
});

describe("model pricing", () => {
  it("lists the seeded prices to admins only", async () => {
    const { prices } = await telemetry.client.listPricing(
      { provider: "openai", model: "gpt-4o-mini" },
      { tenant: admin },
    );
    expect(prices).toEqual([
      expect.objectContaining({
        inputUsdPerMillion: "0.15",
        outputUsdPerMillion: "0.6",
        currency: "USD",
        effectiveFrom: "2025-01-01T00:00:00.000Z",
        effectiveTo: "",
      }),
    ]);
    expect((await refusal(telemetry.client.listPricing({}, { tenant: acme }))).code).toBe("PERMISSION_DENIED");
    const price = {
      provider: "openai",
      model: "x",
      inputUsdPerMillion: "1",
      outputUsdPerMillion: "1",
      effectiveFrom: "2026-01-01",
    };
    expect((await refusal(telemetry.client.setPricing({ price }, { tenant: acme }))).code).toBe("PERMISSION_DENIED");
  });

  it("refuses overlapping dates, and accepts a new price once the old one is closed", async () => {
    const base = { provider: "openai", model: "dated-model", currency: "USD" };
    await telemetry.client.setPricing(
      { price: { ...base, inputUsdPerMillion: "1", outputUsdPerMillion: "2", effectiveFrom: "2026-01-01" } },
      { tenant: admin },
    );
    const overlap = await refusal(
      telemetry.client.setPricing(
        { price: { ...base, inputUsdPerMillion: "3", outputUsdPerMillion: "4", effectiveFrom: "2026-03-01" } },
        { tenant: admin },
      ),
    );
    expect(overlap.code).toBe("INVALID_ARGUMENT");
    expect(overlap.details).toMatchObject({ conflicting_effective_from: "2026-01-01T00:00:00.000Z" });

    const closed = await telemetry.client.setPricing(
      {
        price: {
          ...base,
          inputUsdPerMillion: "1",
          outputUsdPerMillion: "2",
          effectiveFrom: "2026-01-01",
          effectiveTo: "2026-03-01",
        },
      },
      { tenant: admin },
    );
    expect(closed.created).toBe(false);
    const next = await telemetry.client.setPricing(
      { price: { ...base, inputUsdPerMillion: "3", outputUsdPerMillion: "4", effectiveFrom: "2026-03-01" } },
      { tenant: admin },
    );
    expect(next.created).toBe(true);

    for (const bad of [
      { inputUsdPerMillion: "-1", outputUsdPerMillion: "1", effectiveFrom: "2027-01-01" },
      { inputUsdPerMillion: "1", outputUsdPerMillion: "1", effectiveFrom: "yesterday" },
      { inputUsdPerMillion: "1", outputUsdPerMillion: "1", effectiveFrom: "2027-02-01", effectiveTo: "2027-01-01" },
      { inputUsdPerMillion: "1", outputUsdPerMillion: "1", effectiveFrom: "2027-01-01", currency: "EUR" },
    ]) {
      const error = await refusal(telemetry.client.setPricing({ price: { ...base, ...bad } }, { tenant: admin }));
      expect(error.code).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("usage events", () => {
  it("records each event once, priced at the price in force when it occurred", async () => {
    const february = usageEvent(acme, { model: "dated-model", occurred_at: "2026-02-10T12:00:00Z", flow_id: "flow-a" });
    const march = usageEvent(acme, { model: "dated-model", occurred_at: "2026-03-10T12:00:00Z", flow_id: "flow-b" });
    const unpriced = usageEvent(acme, { model: "mystery-model", occurred_at: "2026-03-11T12:00:00Z" });
    await publish(february);
    await publish(february); // same msgID: JetStream drops it
    await publish(march);
    await publish(march, randomUUID()); // new msgID: the primary key drops it
    await publish(unpriced);
    await publish("{not json");
    await caughtUp();

    const { rows } = await sql<{ event_id: string; cost: string; priced: boolean }>`
      select event_id, cost_usd::text as cost, pricing_id is not null as priced
      from llm_usage_records where client_account_id = ${acme.clientAccountId} order by occurred_at`.execute(
      database.db,
    );
    // 1,000 in + 100 out: at 1/2 USD per million 0.0012, at 3/4 USD per million 0.0034.
    expect(rows).toEqual([
      { event_id: february.event_id, cost: "0.001200000000", priced: true },
      { event_id: march.event_id, cost: "0.003400000000", priced: true },
      { event_id: unpriced.event_id, cost: "0.000000000000", priced: false },
    ]);
    expect(await metric("llm_usage_records_total", { outcome: "duplicate" })).toBe(1);
    expect(await metric("llm_usage_records_total", { outcome: "poison" })).toBe(1);
    expect(await metric("llm_usage_records_total", { outcome: "recorded" })).toBe(3);
    expect(await metric("llm_cost_dollars_total", { provider: "openai", model: "dated-model" })).toBeCloseTo(
      0.0046,
      10,
    );
    expect(await metric("llm_usage_unpriced_total", { model: "mystery-model" })).toBe(1);
  });

  it("groups usage by model, agent, day and flow within the tenant and range", async () => {
    const range = { from: "2026-02-01", to: "2026-04-01T00:00:00Z" };
    const byModel = await telemetry.client.getUsage({ ...range, groupBy: "model" }, { tenant: acme });
    expect(byModel.rows.map((r) => [r.key, r.provider, r.calls, r.inputTokens, r.costUsd])).toEqual([
      ["dated-model", "openai", 2n, 2_000n, "0.0046"],
      ["mystery-model", "openai", 1n, 1_000n, "0"],
    ]);
    expect(byModel.total).toMatchObject({ calls: 3n, inputTokens: 3_000n, outputTokens: 300n, costUsd: "0.0046" });
    const byDay = await telemetry.client.getUsage({ ...range, groupBy: "day" }, { tenant: acme });
    expect(byDay.rows.map((r) => r.key)).toEqual(["2026-02-10", "2026-03-10", "2026-03-11"]);
    const byFlow = await telemetry.client.getUsage({ ...range, groupBy: "flow" }, { tenant: acme });
    expect(byFlow.rows.map((r) => [r.key, r.costUsd])).toEqual([
      ["flow-1", "0"],
      ["flow-a", "0.0012"],
      ["flow-b", "0.0034"],
    ]);
    const march = await telemetry.client.getUsage(
      { from: "2026-03-01", to: "2026-04-01", groupBy: "agent" },
      { tenant: acme },
    );
    expect(march.rows).toEqual([expect.objectContaining({ key: "field_mapping", calls: 2n, costUsd: "0.0034" })]);
    const other = await telemetry.client.getUsage({ ...range }, { tenant: globex });
    expect(other.rows).toEqual([]);

    for (const bad of [{ groupBy: "tenant" }, { from: "2026-03-01", to: "2026-02-01" }, { from: "last week" }]) {
      expect((await refusal(telemetry.client.getUsage(bad, { tenant: acme }))).code).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("budgets", () => {
  it("validates, stores and checks a monthly budget per tenant, exactly", async () => {
    expect(await telemetry.client.getBudget({}, { tenant: globex })).toMatchObject({ hasBudget: false });
    expect(await telemetry.client.checkBudget({}, { tenant: globex })).toMatchObject({
      hasBudget: false,
      exhausted: false,
      spentThisMonthUsd: "0",
    });
    for (const bad of ["-5", "-0.01", "abc", "12.345", ""]) {
      expect((await refusal(telemetry.client.setBudget({ monthlyUsd: bad }, { tenant: globex }))).code).toBe(
        "INVALID_ARGUMENT",
      );
    }
    expect(await telemetry.client.setBudget({ monthlyUsd: "0.05" }, { tenant: globex })).toMatchObject({
      monthlyUsd: "0.05",
    });
    expect(await telemetry.client.getBudget({}, { tenant: globex })).toMatchObject({
      hasBudget: true,
      monthlyUsd: "0.05",
    });

    // gpt-4o-mini (0.15 / 0.60): 100,000 in + 10,000 out = 0.015 + 0.006 = 0.021 USD per call.
    await publish(usageEvent(globex, { input_tokens: 100_000, output_tokens: 10_000 }));
    await caughtUp();
    expect(await telemetry.client.checkBudget({}, { tenant: globex })).toMatchObject({
      hasBudget: true,
      limitUsd: "0.05",
      spentThisMonthUsd: "0.021",
      remainingUsd: "0.029",
      exhausted: false,
      month: new Date().toISOString().slice(0, 7),
    });
    await publish(usageEvent(globex, { input_tokens: 100_000, output_tokens: 10_000 }));
    await publish(usageEvent(globex, { input_tokens: 100_000, output_tokens: 10_000 }));
    await caughtUp();
    expect(await telemetry.client.checkBudget({}, { tenant: globex })).toMatchObject({
      spentThisMonthUsd: "0.063",
      remainingUsd: "0",
      exhausted: true,
    });
    // Another tenant's spending is its own.
    expect(await telemetry.client.checkBudget({}, { tenant: acme })).toMatchObject({ exhausted: false });
    await telemetry.client.setBudget({ monthlyUsd: "100" }, { tenant: globex });
    expect(await telemetry.client.checkBudget({}, { tenant: globex })).toMatchObject({
      limitUsd: "100.00",
      exhausted: false,
    });
  });
});
