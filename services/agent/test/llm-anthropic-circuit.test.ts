import { randomUUID } from "node:crypto";
import { sql } from "@migrate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../telemetry/test/support/wait-for.ts";
import { type ColumnProfile, suggestMappings } from "../src/agents/field-mapping.ts";
import { startFakeAnthropicServer } from "./support/fake-anthropic-server.ts";
import type { FakeLlmServer } from "./support/fake-llm-server.ts";
import { exactCost, type LlmMesh, metricValue, startLlmMesh, tenantOf } from "./support/llm-mesh.ts";

const TIMEOUT_MS = 400;
const COOLDOWN_MS = 1_500;
const MODEL = "claude-haiku-4-5"; // seeded price: 1.00 in, 5.00 out per million
const COLUMNS: ColumnProfile[] = [
  { source: "Hostname", samples: ["web-01", "db-02", "app-03"] },
  { source: "Lbl", samples: ["Payroll web", "CRM db", "Intranet"] },
];
const heuristic = suggestMappings(COLUMNS).suggestions.map((s) => ({ source: s.source, target: s.target ?? "" }));
const answer = {
  kind: "answer" as const,
  inputTokens: 2_000,
  outputTokens: 150,
  answer: () => ({ mappings: [{ source: "Lbl", target: "asset_name", confidence: 0.85, reason: "a label" }] }),
};

let fake: FakeLlmServer;
let mesh: LlmMesh;
const tenant = tenantOf("anthropic");
const call = { tenant };
const flowId = `flow_${randomUUID().slice(0, 8)}`;
const mapFields = () =>
  mesh.agent.mapFields({ flowId, columns: COLUMNS.map((c) => ({ ...c, samples: [...c.samples] })) }, call);

beforeAll(async () => {
  fake = await startFakeAnthropicServer();
  mesh = await startLlmMesh({
    LLM_PROVIDER: "anthropic",
    LLM_BASE_URL: fake.baseUrl,
    LLM_MODEL: MODEL,
    LLM_TIMEOUT_MS: `${TIMEOUT_MS}`,
    LLM_MAX_RETRIES: "1",
    LLM_RETRY_BASE_MS: "20",
    LLM_CIRCUIT_FAILURE_THRESHOLD: "3",
    LLM_CIRCUIT_COOLDOWN_MS: `${COOLDOWN_MS}`,
    LLM_MAX_CONCURRENCY: "2",
  });
});

afterAll(async () => {
  await mesh?.stop();
  await fake?.close();
});

describe("LLM refinement through Anthropic, and the circuit breaker", () => {
  it("refines through the Messages API and records tokens and cost at the seeded price", async () => {
    fake.enqueue(answer);
    const response = await mapFields();
    expect(response.mappings.find((m) => m.source === "Lbl")).toMatchObject({ target: "asset_name" });
    expect(fake.requests[0]?.path).toBe("/v1/messages");

    await waitFor("the usage record", async () => {
      const usage = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
      return usage.rows.length ? usage : undefined;
    });
    const usage = await mesh.telemetry.getUsage({ groupBy: "model" }, call);
    expect(usage.rows).toEqual([
      expect.objectContaining({
        key: MODEL,
        provider: "anthropic",
        calls: 1n,
        inputTokens: 2_000n,
        outputTokens: 150n,
        costUsd: exactCost(2_000, 150, 1_000_000, 5_000_000),
      }),
    ]);
    expect(usage.rows[0]?.costUsd).toBe("0.00275");
  });

  it("times out a hanging provider, opens the circuit, and then answers at heuristic speed", async () => {
    fake.setDefault({ kind: "hang" });
    const notices: string[] = [];
    const started = Date.now();
    // Call 1: two timed-out attempts (failures 1-2); call 2: the third failure opens the circuit.
    for (let i = 0; i < 2; i++) notices.push(...(await mapFields()).notices);
    const openingMs = Date.now() - started;
    expect(notices).toEqual([
      "LLM provider call failed (timeout); heuristic result used",
      "LLM provider unavailable; heuristic provider used",
    ]);
    expect(metricValue(await mesh.agentMetrics(), "llm_circuit_state", { provider: "anthropic" })).toBe(2);

    const requestsWhenOpen = fake.requests.length;
    const fastStarted = Date.now();
    for (let i = 0; i < 20; i++) {
      const response = await mapFields();
      expect(response.notices).toEqual(["LLM provider unavailable; heuristic provider used"]);
      expect(response.mappings.map((m) => ({ source: m.source, target: m.target }))).toEqual(heuristic);
    }
    const openMs = Date.now() - fastStarted;
    console.log(`circuit: opening took ${openingMs} ms; 20 calls while open took ${openMs} ms`);
    expect(openMs).toBeLessThan(20 * TIMEOUT_MS);
    expect(fake.requests.length).toBe(requestsWhenOpen);
    const metrics = await mesh.agentMetrics();
    expect(
      metricValue(metrics, "llm_requests_total", { provider: "anthropic", model: MODEL, outcome: "timeout" }),
    ).toBe(3);
    expect(metricValue(metrics, "llm_fallbacks_total", { agent: "field_mapping", reason: "circuit_open" })).toBe(21);
  });

  it("lets one probe through after the cool-down and closes again when it succeeds", async () => {
    fake.setDefault(answer);
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    const response = await mapFields();
    expect(response.notices).toEqual([]);
    expect(response.mappings.find((m) => m.source === "Lbl")?.target).toBe("asset_name");
    expect(metricValue(await mesh.agentMetrics(), "llm_circuit_state", { provider: "anthropic" })).toBe(0);

    // Timed-out attempts are recorded too, with no tokens: every provider call is accounted for.
    await waitFor("all usage records", async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from llm_usage_records
        where client_account_id = ${tenant.clientAccountId}`.execute(mesh.telemetryDb.db);
      return rows[0]?.n === fake.requests.length ? true : undefined;
    });
    const { rows } = await sql<{ outcome: string; n: number }>`select outcome, count(*)::int as n
      from llm_usage_records where client_account_id = ${tenant.clientAccountId} group by outcome order by outcome`.execute(
      mesh.telemetryDb.db,
    );
    expect(rows).toEqual([
      { outcome: "success", n: 2 },
      { outcome: "timeout", n: 3 },
    ]);
  });
});
