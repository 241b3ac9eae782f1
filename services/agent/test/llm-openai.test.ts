import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import { isMeshError, type MeshError } from "@migrate/errors";
import { publishEvent, type UsageEvent } from "@migrate/events";
import { AssetDocumentSchema } from "@migrate/gen/agent/v1/agent_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../telemetry/test/support/wait-for.ts";
import { type ColumnProfile, suggestMappings } from "../src/agents/field-mapping.ts";
import { recommendStrategy } from "../src/agents/strategy-recommendation.ts";
import { strategyAssetFrom } from "../src/server/asset-documents.ts";
import type { FakeTaskRequest } from "./support/fake-llm-behaviour.ts";
import type { FakeLlmServer } from "./support/fake-llm-server.ts";
import { startFakeOpenAiServer } from "./support/fake-openai-server.ts";
import { exactCost, type LlmMesh, metricValue, startLlmMesh, tenantOf } from "./support/llm-mesh.ts";

// Odd prices, so a rounding or floating-point slip shows in the cents.
const PRICES = {
  "fake-gpt": { input: "1.234567", output: "9.876543", inputMicros: 1_234_567, outputMicros: 9_876_543 },
  "fake-gpt-strategy": { input: "0.5", output: "1.5", inputMicros: 500_000, outputMicros: 1_500_000 },
} as const;
const COLUMNS: ColumnProfile[] = [
  { source: "Hostname", samples: ["web-01", "db-02", "app-03"] },
  { source: "Lbl", samples: ["Payroll web", "CRM db", "Intranet"] },
  { source: "M", samples: ["16", "32", "8"] },
  { source: "Plat", samples: ["Windows Server 2019", "RHEL 8", "Ubuntu 22.04"] },
  { source: "Zone", samples: ["Prod", "Dev", "Test"] },
  { source: "Who", samples: ["jane.doe@acme.com", "bob@acme.com", "x@y.org"] },
  { source: "Blob", samples: ["Jane Doe", "Bob Smith", "A B"] },
];
const heuristic = suggestMappings(COLUMNS).suggestions.map((s) => ({
  source: s.source,
  target: s.target ?? "",
  confidence: s.confidence,
  reason: s.reason,
}));
const refined = (request: FakeTaskRequest) => ({
  mappings: request.input.columns.map((c: { source: string; heuristic_guess: { target: string | null } }) => ({
    source: c.source,
    target: ({ Lbl: "asset_name", M: "memory_gb" } as Record<string, string>)[c.source] ?? c.heuristic_guess.target,
    confidence: c.source === "Lbl" ? 0.86 : 0.81,
    reason: "the header abbreviates server label",
  })),
});
const tokens = { inputTokens: 1_234, outputTokens: 321 };

let fake: FakeLlmServer;
let mesh: LlmMesh;
const tenant = tenantOf("llm");
const admin = tenantOf("ops", ["admin"]);
const flowId = `flow_${randomUUID().slice(0, 8)}`;
const call = { tenant };
let mapFieldsCalls = 0;

async function mapFields(t = tenant, flow = flowId) {
  if (t === tenant) mapFieldsCalls++;
  const response = await mesh.agent.mapFields(
    { flowId: flow, columns: COLUMNS.map((c) => ({ ...c, samples: [...c.samples] })) },
    { tenant: t },
  );
  return { ...response, bySource: new Map(response.mappings.map((m) => [m.source, m])) };
}
const plain = (mappings: Array<{ source: string; target: string; confidence: number; reason: string }>) =>
  mappings.map(({ source, target, confidence, reason }) => ({ source, target, confidence, reason }));
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: unknown) => {
      if (!isMeshError(error)) throw error;
      return error as MeshError;
    },
  );

beforeAll(async () => {
  fake = await startFakeOpenAiServer();
  mesh = await startLlmMesh({
    LLM_PROVIDER: "openai",
    LLM_BASE_URL: fake.baseUrl,
    LLM_MODEL: "fake-gpt",
    LLM_MODEL_STRATEGY: "fake-gpt-strategy",
    LLM_TIMEOUT_MS: "2000",
    LLM_MAX_RETRIES: "2",
    LLM_RETRY_BASE_MS: "50",
    LLM_MAX_RETRY_DELAY_MS: "3000",
    LLM_BUDGET_CACHE_MS: "300",
    LLM_CIRCUIT_FAILURE_THRESHOLD: "50",
  });
  for (const [model, price] of Object.entries(PRICES)) {
    await mesh.telemetry.setPricing(
      {
        price: {
          provider: "openai",
          model,
          inputUsdPerMillion: price.input,
          outputUsdPerMillion: price.output,
          effectiveFrom: "2026-01-01",
        },
      },
      { tenant: admin },
    );
  }
});

afterAll(async () => {
  await mesh?.stop();
  await fake?.close();
});

describe("LLM refinement through an OpenAI-compatible provider", () => {
  it("names the provider and model of the refined agents", async () => {
    const { agents } = await mesh.agent.listAgents({}, call);
    const provider = Object.fromEntries(agents.map((a) => [a.name, a.provider]));
    expect(provider).toMatchObject({
      field_mapping: "openai:fake-gpt",
      classification: "openai:fake-gpt",
      strategy: "openai:fake-gpt-strategy",
      validation: "heuristic",
    });
  });

  it("applies a valid refinement of the low-confidence mappings, from value shapes only", async () => {
    fake.enqueue({ kind: "answer", ...tokens, answer: refined });
    const response = await mapFields();
    expect(response.notices).toEqual([]);
    expect(response.bySource.get("Lbl")).toMatchObject({ target: "asset_name", confidence: 0.86 });
    expect(response.bySource.get("Lbl")?.reason).toMatch(/^LLM \(fake-gpt\): /);
    expect(response.bySource.get("M")).toMatchObject({ target: "memory_gb", confidence: 0.81 });
    // A confident mapping is never sent and never changes.
    expect(response.bySource.get("Hostname")).toMatchObject({
      target: "hostname",
      confidence: heuristic[0]?.confidence,
    });

    const prompt = fake.requests.at(-1)?.userPrompt ?? "";
    const asked = JSON.parse(prompt).columns.map((c: { source: string }) => c.source);
    expect(asked).not.toContain("Hostname");
    expect(asked).toContain("Who");
    for (const raw of ["jane.doe@acme.com", "Jane Doe", "Bob Smith", "Payroll web", "web-01"]) {
      expect(prompt).not.toContain(raw);
    }
    expect(prompt).toContain("email address");
  });

  it("keeps the heuristic mapping when the answer is malformed JSON, and says so", async () => {
    fake.enqueue({ kind: "malformed", ...tokens });
    const response = await mapFields();
    expect(plain(response.mappings)).toEqual(heuristic);
    expect(response.notices).toEqual(["LLM answer rejected (invalid_json); heuristic result used"]);
  });

  it("keeps the heuristic mapping when a schema-valid answer names an unknown target", async () => {
    fake.enqueue({
      kind: "answer",
      ...tokens,
      answer: (request) => ({
        mappings: request.input.columns.map((c: { source: string }) => ({
          source: c.source,
          target: c.source === "Lbl" ? "server_label" : null,
          confidence: 0.9,
          reason: "made up",
        })),
      }),
    });
    const response = await mapFields();
    expect(plain(response.mappings)).toEqual(heuristic);
    expect(response.notices).toEqual(["LLM answer rejected (unknown_target); heuristic result used"]);
  });

  it("keeps the heuristic mapping when the model refuses", async () => {
    fake.enqueue({ kind: "refusal", ...tokens });
    const response = await mapFields();
    expect(plain(response.mappings)).toEqual(heuristic);
    expect(response.notices).toEqual(["LLM answer rejected (refusal); heuristic result used"]);
  });

  it("honours Retry-After on 429 before retrying", async () => {
    fake.enqueue({ kind: "status", status: 429, retryAfterSeconds: 1 }, { kind: "answer", ...tokens, answer: refined });
    const before = fake.requests.length;
    const response = await mapFields();
    const [limited, retried] = fake.requests.slice(before);
    expect(fake.requests.length - before).toBe(2);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(response.bySource.get("Lbl")?.target).toBe("asset_name");
    expect(response.notices).toEqual([]);
  });

  it("retries 500s with backoff and uses the answer that finally comes", async () => {
    fake.enqueue(
      { kind: "status", status: 500 },
      { kind: "status", status: 500 },
      { kind: "answer", ...tokens, answer: refined },
    );
    const before = fake.requests.length;
    const response = await mapFields();
    expect(fake.requests.length - before).toBe(3);
    expect(response.bySource.get("M")?.target).toBe("memory_gb");
  });

  it("does not retry 400 or 401", async () => {
    for (const [status, kind] of [
      [400, "client_error"],
      [401, "auth_error"],
    ] as const) {
      fake.enqueue({ kind: "status", status });
      const before = fake.requests.length;
      const response = await mapFields();
      expect(fake.requests.length - before).toBe(1);
      expect(plain(response.mappings)).toEqual(heuristic);
      expect(response.notices).toEqual([`LLM provider call failed (${kind}); heuristic result used`]);
    }
  });

  it("classifies an odd asset through the provider, without owner fields in the prompt", async () => {
    fake.enqueue({
      kind: "answer",
      ...tokens,
      answer: (request) => ({
        classifications: request.input.assets.map((a: { row: number }) => ({
          row: a.row,
          asset_type: "storage",
          server_role: "file",
          confidence: 0.8,
          reason: "the name reads like a filer",
        })),
      }),
    });
    const response = await mesh.agent.cleanseRecords(
      {
        flowId,
        mappings: [
          { source: "Name", target: "asset_name" },
          { source: "Owner", target: "business_owner" },
        ],
        records: [{ rowNumber: 1n, valuesJson: JSON.stringify({ Name: "zq-thing-7", Owner: "Jane Doe" }) }],
      },
      call,
    );
    expect(response.notices).toEqual([]);
    const asset = JSON.parse(response.assets[0]?.assetJson ?? "{}");
    expect(asset).toMatchObject({ asset_type: "storage", server_role: "file", classification_confidence: 0.8 });
    expect(asset.classification_reason).toMatch(/^LLM \(fake-gpt\): .*; rules said: server/);
    const prompt = fake.requests.at(-1)?.userPrompt ?? "";
    expect(prompt).toContain("zq-thing-7");
    expect(prompt).not.toContain("Jane Doe");
    expect(prompt).not.toContain("business_owner");
  });

  it("refines a strategy's rationale with the strategy model, never the strategy", async () => {
    const asset = create(AssetDocumentSchema, {
      rowNumber: 3n,
      assetJson: JSON.stringify({ asset_name: "legacy-01", operating_system: "Windows Server 2008" }),
    });
    const rules = recommendStrategy(strategyAssetFrom(asset, 0));
    const response = await mesh.agent.recommendStrategies({ flowId, assets: [asset] }, call);
    const recommendation = response.recommendations[0];
    expect(recommendation?.strategy).toBe(rules.strategy);
    expect(recommendation?.confidence).toBe(rules.confidence);
    expect(recommendation?.rationale).toBe(
      `Fake rationale for ${rules.strategy}. (LLM fake-gpt-strategy; rules: ${rules.rationale})`,
    );
    expect(fake.requests.at(-1)?.model).toBe("fake-gpt-strategy");
  });

  it("records every provider call in telemetry: tokens as the fake reported, cost as pricing implies", async () => {
    const expectedCalls = fake.requests.length;
    const count = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from llm_usage_records
        where client_account_id = ${tenant.clientAccountId}`.execute(mesh.telemetryDb.db);
      return rows[0]?.n ?? 0;
    };
    await waitFor("all usage records", async () => ((await count()) === expectedCalls ? true : undefined));

    const usage = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
    let totalCost = 0;
    for (const [model, price] of Object.entries(PRICES)) {
      const reported = fake.reported.get(model);
      const row = usage.rows.find((r) => r.key === model);
      const cost = exactCost(
        reported?.inputTokens ?? 0,
        reported?.outputTokens ?? 0,
        price.inputMicros,
        price.outputMicros,
      );
      expect(row).toMatchObject({
        provider: "openai",
        calls: BigInt(fake.requests.filter((r) => r.model === model).length),
        inputTokens: BigInt(reported?.inputTokens ?? 0),
        outputTokens: BigInt(reported?.outputTokens ?? 0),
        costUsd: cost,
      });
      totalCost += Number(cost);
    }
    expect(Number(usage.total?.costUsd).toFixed(2)).toBe(totalCost.toFixed(2));
    expect(usage.total?.calls).toBe(BigInt(expectedCalls));

    const byAgent = await mesh.telemetry.getUsage({ groupBy: "agent" }, call);
    expect(byAgent.rows.map((r) => r.key).sort()).toEqual(["classification", "field_mapping", "strategy"]);
    // Another tenant sees none of it.
    const other = await mesh.telemetry.getUsage({ groupBy: "model" }, { tenant: tenantOf("other") });
    expect(other.rows).toEqual([]);
  });

  it("counts a usage event once even when it is published twice", async () => {
    const { rows } = await sql<UsageEvent & { occurred_at: Date }>`select event_id, client_account_id,
        coalesce(engagement_id, '') as engagement_id, flow_id, agent, provider, model, input_tokens, output_tokens,
        latency_ms, outcome, coalesce(trace_id, '') as trace_id, occurred_at
      from llm_usage_records where client_account_id = ${tenant.clientAccountId} and input_tokens > 0 limit 1`.execute(
      mesh.telemetryDb.db,
    );
    const record = rows[0] as UsageEvent & { occurred_at: Date };
    const before = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
    const duplicatesBefore = metricValue(await mesh.telemetryMetrics(), "llm_usage_records_total", {
      outcome: "duplicate",
    });
    // A new msgID gets past JetStream's de-duplication window: only the primary key stands.
    const event = { ...record, occurred_at: record.occurred_at.toISOString() };
    await publishEvent(mesh.bus.js, {
      subject: mesh.usage.subject(tenant.clientAccountId, record.flow_id),
      data: new TextEncoder().encode(JSON.stringify(event)),
      msgID: randomUUID(),
    });
    await waitFor("the duplicate to be consumed", async () =>
      metricValue(await mesh.telemetryMetrics(), "llm_usage_records_total", { outcome: "duplicate" }) > duplicatesBefore
        ? true
        : undefined,
    );
    const after = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
    expect({ rows: after.rows, total: after.total }).toEqual({ rows: before.rows, total: before.total });
  });

  it("shows on /metrics the counters the traffic implies", async () => {
    const agentText = await mesh.agentMetrics();
    const model = { provider: "openai", model: "fake-gpt" };
    const outcomes: Record<string, number> = {
      rate_limited: 1,
      server_error: 2,
      client_error: 1,
      auth_error: 1,
      invalid_json: 1,
      unknown_target: 1,
      refusal: 1,
    };
    for (const [outcome, n] of Object.entries(outcomes)) {
      expect(metricValue(agentText, "llm_requests_total", { ...model, outcome })).toBe(n);
    }
    const fakeGptRequests = fake.requests.filter((r) => r.model === "fake-gpt").length;
    const failures = Object.values(outcomes).reduce((a, b) => a + b, 0);
    expect(metricValue(agentText, "llm_requests_total", { ...model, outcome: "success" })).toBe(
      fakeGptRequests - failures,
    );
    expect(metricValue(agentText, "llm_tokens_total", { ...model, type: "input" })).toBe(
      fake.reported.get("fake-gpt")?.inputTokens,
    );
    expect(metricValue(agentText, "llm_tokens_total", { ...model, type: "output" })).toBe(
      fake.reported.get("fake-gpt")?.outputTokens,
    );
    expect(metricValue(agentText, "agent_executions_total", { agent: "field_mapping", outcome: "succeeded" })).toBe(
      mapFieldsCalls,
    );
    expect(metricValue(agentText, "llm_fallbacks_total", { agent: "field_mapping", reason: "invalid_json" })).toBe(1);
    expect(metricValue(agentText, "llm_circuit_state", { provider: "openai" })).toBe(0);
    expect(agentText).not.toContain("client_account_id");

    const telemetryText = await mesh.telemetryMetrics();
    expect(metricValue(telemetryText, "llm_usage_records_total", { outcome: "recorded" })).toBe(fake.requests.length);
    const usage = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
    const cost = usage.rows.find((r) => r.key === "fake-gpt")?.costUsd;
    expect(metricValue(telemetryText, "llm_cost_dollars_total", model)).toBeCloseTo(Number(cost), 9);
  });

  it("falls back to the heuristic provider with a notice once the budget is spent, announced once per flow", async () => {
    const spender = tenantOf("budget");
    const budgetFlow = `flow_${randomUUID().slice(0, 8)}`;
    expect((await refusal(mesh.telemetry.setBudget({ monthlyUsd: "-1" }, { tenant: spender }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    await mesh.telemetry.setBudget({ monthlyUsd: "0.01" }, { tenant: spender });
    // 10,000 input tokens at 1.234567 USD per million: 0.01234567 USD, over the budget.
    fake.enqueue({ kind: "answer", inputTokens: 10_000, outputTokens: 0, answer: refined });
    const first = await mapFields(spender, budgetFlow);
    expect(first.bySource.get("Lbl")?.target).toBe("asset_name");

    await waitFor("the budget to be exhausted", async () => {
      const check = await mesh.telemetry.checkBudget({}, { tenant: spender });
      return check.exhausted ? check : undefined;
    });
    const check = await mesh.telemetry.checkBudget({}, { tenant: spender });
    expect(check).toMatchObject({
      hasBudget: true,
      limitUsd: "0.01",
      spentThisMonthUsd: "0.01234567",
      remainingUsd: "0",
    });
    await new Promise((resolve) => setTimeout(resolve, 400)); // the agent's 300 ms budget cache

    const requestsBefore = fake.requests.length;
    const otherFlow = `flow_${randomUUID().slice(0, 8)}`;
    for (const flow of [budgetFlow, budgetFlow, otherFlow]) {
      const response = await mapFields(spender, flow);
      expect(response.notices).toEqual(["LLM budget exhausted; heuristic provider used"]);
      expect(plain(response.mappings)).toEqual(heuristic);
    }
    expect(fake.requests.length).toBe(requestsBefore);

    const events = async () => {
      const { rows } = await sql<{ flow_id: string }>`select flow_id from llm_usage_records
        where client_account_id = ${spender.clientAccountId} and outcome = 'budget_exhausted'`.execute(
        mesh.telemetryDb.db,
      );
      return rows.length === 2 ? rows.map((r) => r.flow_id).sort() : undefined;
    };
    expect(await waitFor("one budget event per flow", events)).toEqual([budgetFlow, otherFlow].sort());
    const usage = await mesh.telemetry.getUsage({ groupBy: "agent" }, { tenant: spender });
    expect(usage.total?.calls).toBe(1n);
    expect(metricValue(await mesh.agentMetrics(), "llm_fallbacks_total", { reason: "budget_exhausted" })).toBe(3);
  });
});
