/**
 * Discovery flows with LLM agents, end to end: the whole mesh (five processes) with the agent
 * service talking to a fake OpenAI-compatible server, then to a fake Anthropic server, on
 * loopback over real HTTP; everything a user does goes through the gateway's REST API. Shows
 * that usage per model and per agent equals what the fake reported at the test-set or seeded
 * prices, exactly; that an exhausted budget turns the rest of a flow heuristic and says so; that
 * a provider answering 500 or gone opens the circuit and flows keep their speed; and that the
 * agent's and telemetry's /metrics agree with the traffic.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropicServer } from "../../agent/test/support/fake-anthropic-server.ts";
import type { FakeLlmServer } from "../../agent/test/support/fake-llm-server.ts";
import { startFakeOpenAiServer } from "../../agent/test/support/fake-openai-server.ts";
import { metricValue } from "../../agent/test/support/llm-mesh.ts";
import { waitFor } from "../../telemetry/test/support/wait-for.ts";
import type { FlowJson } from "./support/flow-runner.ts";
import { runFlow } from "./support/flow-runner.ts";
import {
  AGENT_OF_TASK,
  type Body,
  BUDGET_CACHE_MS,
  BUDGET_NOTICE,
  during,
  expectedUsage,
  expectSpeedWithProviderDown,
  expectUsageRows,
  llmSettings,
  meshFixture,
  type Prices,
  REVIEW_SAMPLE,
  usdText,
} from "./support/llm-flow-fixture.ts";

describe("a discovery flow with an OpenAI-compatible provider", () => {
  let fake: FakeLlmServer;
  const MODELS = { field_mapping: "e2e-map", classification: "e2e-classify", strategy: "e2e-strategy" };
  // Odd prices, so a rounding or floating-point slip shows in the cents.
  const PRICES: Prices = {
    "e2e-map": { input: "1.234567", output: "9.876543" },
    "e2e-classify": { input: "0.15", output: "0.6" },
    "e2e-strategy": { input: "2.5", output: "10.000001" },
  };
  const TOKENS = { input: 1_237, output: 311 };
  const f = meshFixture(async () => {
    fake = await startFakeOpenAiServer();
    fake.setDefault({ kind: "answer", inputTokens: TOKENS.input, outputTokens: TOKENS.output });
    return llmSettings("openai", fake.baseUrl, MODELS);
  });
  let flowId = "";
  let owner = "";

  afterAll(async () => {
    await fake?.close();
  });

  it("completes, and /v1/usage by model and by agent equals the fake's report at the admin's prices", async () => {
    for (const [model, price] of Object.entries(PRICES)) {
      const set = await f.put("/v1/pricing", f.state.admin, {
        price: {
          provider: "openai",
          model,
          input_usd_per_million: price.input,
          output_usd_per_million: price.output,
          effective_from: "2025-01-01",
        },
      });
      expect(set.status).toBe(201);
    }
    owner = await f.tenantToken();
    const { result, requests } = await during(fake, () => runFlow(f.state.d, owner, REVIEW_SAMPLE));
    flowId = result.flow.id;
    expect(result.flow).toMatchObject({ status: "completed", asset_count: 200 });
    expect(result.reviewed).toBe(true);
    expect(result.flow.notices).not.toContain(BUDGET_NOTICE);
    expect(new Set(requests.map((r) => AGENT_OF_TASK[r.task]))).toEqual(new Set(Object.keys(MODELS)));
    expect(requests.every((r) => r.behaviour === "answer")).toBe(true);
    const reported = [...fake.reported.values()].reduce((sum, r) => sum + r.inputTokens, 0);
    expect(reported).toBe(requests.length * TOKENS.input);

    const byModel = await f.usageOnceRecorded(owner, requests.length);
    const total = expectUsageRows(byModel, expectedUsage(requests, TOKENS, PRICES, "model"));
    expect(byModel.rows.every((r: Body) => r.provider === "openai")).toBe(true);
    const byAgent = (await f.get("/v1/usage?group_by=agent", owner)).body;
    expectUsageRows(byAgent, expectedUsage(requests, TOKENS, PRICES, "agent"));
    expect(byAgent.rows.map((r: Body) => r.key)).toEqual(["classification", "field_mapping", "strategy"]);
    const byFlow = (await f.get("/v1/usage?group_by=flow", owner)).body;
    expect(byFlow.rows).toMatchObject([{ key: flowId, calls: requests.length, cost_usd: usdText(total) }]);
    expect((await f.get("/v1/usage/budget", owner)).body.budget.spent_this_month_usd).toBe(usdText(total));

    // The agent counts every attempt and token; telemetry prices them: the same traffic, the same money.
    const agentMetrics = await f.metrics("agent");
    const telemetryMetrics = await waitFor("the cost metric", async () => {
      const text = await f.metrics("telemetry");
      const cost = metricValue(text, "llm_cost_dollars_total", { provider: "openai" });
      return Math.abs(cost - Number(usdText(total))) < 1e-9 ? text : undefined;
    });
    for (const [model, t] of expectedUsage(requests, TOKENS, PRICES, "model")) {
      const labels = { provider: "openai", model };
      expect(metricValue(agentMetrics, "llm_requests_total", { ...labels, outcome: "success" })).toBe(t.calls);
      expect(metricValue(agentMetrics, "llm_tokens_total", { ...labels, type: "input" })).toBe(t.input);
      expect(metricValue(agentMetrics, "llm_tokens_total", { ...labels, type: "output" })).toBe(t.output);
      expect(metricValue(telemetryMetrics, "llm_cost_dollars_total", labels)).toBeCloseTo(Number(usdText(t.picos)), 9);
    }
    console.info(
      `openai flow: ${Math.round(result.ms)} ms, ${requests.length} provider calls, ${byModel.total.input_tokens}+${byModel.total.output_tokens} tokens, $${byModel.total.cost_usd}`,
    );
  });

  it("shows another tenant none of it", async () => {
    const stranger = await f.tenantToken();
    const usage = (await f.get("/v1/usage?group_by=flow", stranger)).body;
    expect(usage.rows).toEqual([]);
    expect(usage.total).toMatchObject({ calls: 0, input_tokens: 0, cost_usd: "0" });
    expect((await f.get("/v1/usage/budget", stranger)).body.budget).toMatchObject({
      has_budget: false,
      spent_this_month_usd: "0",
    });
    expect((await f.get(`/v1/flows/${flowId}/timeline`, stranger)).status).toBe(404);
    expect((await f.get(`/v1/flows/${flowId}`, stranger)).status).toBe(404);
    const timeline = (await f.get(`/v1/flows/${flowId}/timeline`, owner)).body;
    expect(timeline.entries.at(-1)).toMatchObject({ type: "flow.completed" });
  });

  it("with a budget exhausted by the first call, completes on the heuristic provider and says so", async () => {
    const token = await f.tenantToken();
    // One field-mapping call at these tokens costs $0.0889, far over the budget.
    const big = { input: 40_000, output: 4_000 };
    fake.setDefault({ kind: "answer", inputTokens: big.input, outputTokens: big.output });
    expect((await f.put("/v1/usage/budget", token, { monthly_usd: "0.01" })).status).toBe(200);
    const { result, requests } = await during(fake, () =>
      runFlow(f.state.d, token, REVIEW_SAMPLE, {
        // The flow waits for the review after the field-mapping call: let the spending be
        // recorded and the agent's cached budget answer expire before the rest of the flow.
        beforeApprove: async () => {
          await waitFor("the budget to be exhausted", async () =>
            (await f.get("/v1/usage/budget", token)).body.budget.exhausted ? true : undefined,
          );
          await new Promise((resolve) => setTimeout(resolve, BUDGET_CACHE_MS + 300));
        },
      }),
    ).finally(() => fake.setDefault({ kind: "answer", inputTokens: TOKENS.input, outputTokens: TOKENS.output }));

    expect(result.flow).toMatchObject({ status: "completed", asset_count: 200 });
    expect(result.reviewed).toBe(true);
    const detail = (await f.get(`/v1/flows/${result.flow.id}`, token)).body.flow as FlowJson;
    expect(detail.notices).toContain(BUDGET_NOTICE);
    // Only the field-mapping call went out; classification and strategy stayed heuristic.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.task === "field_mappings")).toBe(true);
    const usage = await f.usageOnceRecorded(token, requests.length, "agent");
    const expected = expectedUsage(requests, big, PRICES, "agent");
    // The refusal itself is recorded (a budget_exhausted record, once per flow), never counted as a call.
    expected.set("classification", { calls: 0, input: 0, output: 0, picos: 0n });
    const total = expectUsageRows(usage, expected);
    expect((await f.get("/v1/usage/budget", token)).body.budget).toMatchObject({
      monthly_usd: "0.01",
      spent_this_month_usd: usdText(total),
      remaining_usd: "0",
      exhausted: true,
    });
  });

  it("with the provider answering 500, opens the circuit and keeps the flow's speed", async () => {
    const { baselineMs, downMs, token, down } = await expectSpeedWithProviderDown(f, fake, async () =>
      fake.setDefault({ kind: "status", status: 500 }),
    );
    // 13 prompts × 2 attempts without a breaker; it opens after 3 failures (4 may be in flight).
    expect(down.requests.length).toBeGreaterThanOrEqual(3);
    expect(down.requests.length).toBeLessThanOrEqual(8);
    const usage = await f.usageOnceRecorded(token, down.requests.length);
    expect(usage.total).toMatchObject({ input_tokens: 0, output_tokens: 0, cost_usd: "0" });
    const agentMetrics = await f.metrics("agent");
    expect(metricValue(agentMetrics, "llm_requests_total", { provider: "openai", outcome: "server_error" })).toBe(
      down.requests.length,
    );
    expect(metricValue(agentMetrics, "llm_circuit_state", { provider: "openai" })).toBe(2);
    expect(metricValue(agentMetrics, "llm_fallbacks_total", { reason: "circuit_open" })).toBeGreaterThan(0);
    console.info(
      `openai down (500): heuristic baseline ${baselineMs.join(" / ")} ms, provider down ${downMs} ms, ${down.requests.length} attempts`,
    );
  });
});

describe("a discovery flow with an Anthropic provider", () => {
  let fake: FakeLlmServer;
  // Seeded prices (docs/llm.md): haiku 1.00/5.00, sonnet 3.00/15.00 per million tokens.
  const MODELS = {
    field_mapping: "claude-haiku-4-5",
    classification: "claude-haiku-4-5",
    strategy: "claude-sonnet-4-5",
  };
  const TOKENS = { input: 2_345, output: 167 };
  const f = meshFixture(async () => {
    fake = await startFakeAnthropicServer();
    fake.setDefault({ kind: "answer", inputTokens: TOKENS.input, outputTokens: TOKENS.output });
    return llmSettings("anthropic", fake.baseUrl, MODELS);
  });

  afterAll(async () => {
    await fake?.close();
  });

  it("completes, and /v1/usage equals the fake's report at the seeded prices", async () => {
    const seeded = (await f.get("/v1/pricing?provider=anthropic", f.state.admin)).body.prices as Body[];
    const prices: Prices = Object.fromEntries(
      seeded.map((p) => [p.model, { input: p.input_usd_per_million, output: p.output_usd_per_million }]),
    );
    expect(prices["claude-haiku-4-5"]).toEqual({ input: "1", output: "5" });
    expect(prices["claude-sonnet-4-5"]).toEqual({ input: "3", output: "15" });

    const token = await f.tenantToken();
    const { result, requests } = await during(fake, () => runFlow(f.state.d, token, REVIEW_SAMPLE));
    expect(result.flow).toMatchObject({ status: "completed", asset_count: 200 });
    expect(requests.every((r) => r.path === "/v1/messages" && r.behaviour === "answer")).toBe(true);
    expect(new Set(requests.map((r) => AGENT_OF_TASK[r.task]))).toEqual(new Set(Object.keys(MODELS)));

    const byModel = await f.usageOnceRecorded(token, requests.length);
    const total = expectUsageRows(byModel, expectedUsage(requests, TOKENS, prices, "model"));
    expect(byModel.rows.every((r: Body) => r.provider === "anthropic")).toBe(true);
    const haiku = fake.reported.get("claude-haiku-4-5");
    expect(byModel.rows.find((r: Body) => r.key === "claude-haiku-4-5")).toMatchObject({
      calls: haiku?.calls,
      input_tokens: haiku?.inputTokens,
      output_tokens: haiku?.outputTokens,
    });
    expectUsageRows(
      (await f.get("/v1/usage?group_by=agent", token)).body,
      expectedUsage(requests, TOKENS, prices, "agent"),
    );

    const agentMetrics = await f.metrics("agent");
    expect(metricValue(agentMetrics, "llm_requests_total", { provider: "anthropic", outcome: "success" })).toBe(
      requests.length,
    );
    expect(metricValue(agentMetrics, "llm_tokens_total", { provider: "anthropic", type: "input" })).toBe(
      byModel.total.input_tokens,
    );
    await waitFor("the cost metric", async () => {
      const cost = metricValue(await f.metrics("telemetry"), "llm_cost_dollars_total", { provider: "anthropic" });
      return Math.abs(cost - Number(usdText(total))) < 1e-9 ? true : undefined;
    });
    console.info(
      `anthropic flow: ${Math.round(result.ms)} ms, ${requests.length} provider calls, $${byModel.total.cost_usd}`,
    );
  });

  it("with the provider gone (closed port), opens the circuit and keeps the flow's speed", async () => {
    const { baselineMs, downMs, down } = await expectSpeedWithProviderDown(f, fake, () => fake.close());
    expect(down.requests).toEqual([]);
    const agentMetrics = await f.metrics("agent");
    const refused = metricValue(agentMetrics, "llm_requests_total", {
      provider: "anthropic",
      outcome: "connection_error",
    });
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(refused).toBeLessThanOrEqual(8);
    expect(metricValue(agentMetrics, "llm_circuit_state", { provider: "anthropic" })).toBe(2);
    console.info(
      `anthropic down (closed port): heuristic baseline ${baselineMs.join(" / ")} ms, provider down ${downMs} ms, ${refused} attempts`,
    );
  });
});
