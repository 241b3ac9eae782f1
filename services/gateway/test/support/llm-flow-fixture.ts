/**
 * The whole mesh with an LLM provider configured, for llm-flow.test.ts: the agent settings, the
 * exact expected usage (integer pico-dollars from the fake's requests and the prices), and the
 * "provider down keeps the speed" comparison.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { generateSample } from "../../../../scripts/generate-sample.ts";
import type { RecordedRequest } from "../../../agent/test/support/fake-llm-behaviour.ts";
import type { FakeLlmServer } from "../../../agent/test/support/fake-llm-server.ts";
import { waitFor } from "../../../telemetry/test/support/wait-for.ts";
import { type DiscoveryMesh, startDiscoveryMesh } from "./discovery-mesh.ts";
import { runFlow } from "./flow-runner.ts";

export const SAMPLE = generateSample({ servers: 200, seed: 5 }).inventoryCsv;
// "Computr" (a typo of "computer") maps to asset_name below the confidence threshold: the field mapping agent asks the
// provider about it, and the flow waits for the mapping review.
export const REVIEW_SAMPLE = SAMPLE.replace(/^Server Name,/, "Computr,");
export const BUDGET_NOTICE = "LLM budget exhausted; heuristic provider used";
export const CIRCUIT_NOTICE = "LLM provider unavailable; heuristic provider used";
export const AGENT_OF_TASK: Record<string, string> = {
  field_mappings: "field_mapping",
  asset_classifications: "classification",
  strategy_rationales: "strategy",
};
export const BUDGET_CACHE_MS = 200;
export const llmSettings = (provider: string, baseUrl: string, models: Record<string, string>) => ({
  LLM_PROVIDER: provider,
  LLM_BASE_URL: baseUrl,
  LLM_API_KEY: "x",
  LLM_MODEL: models.strategy ?? "",
  LLM_MODEL_FIELD_MAPPING: models.field_mapping ?? "",
  LLM_MODEL_CLASSIFICATION: models.classification ?? "",
  LLM_MODEL_STRATEGY: models.strategy ?? "",
  LLM_TIMEOUT_MS: "5000",
  LLM_MAX_RETRIES: "1",
  LLM_RETRY_BASE_MS: "20",
  LLM_CIRCUIT_FAILURE_THRESHOLD: "3",
  LLM_CIRCUIT_COOLDOWN_MS: "300000",
  LLM_BUDGET_CACHE_MS: `${BUDGET_CACHE_MS}`,
});

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
export type Body = any;
export interface Tally {
  calls: number;
  input: number;
  output: number;
  picos: bigint;
}
export type Prices = Record<string, { input: string; output: string }>;

/** USD per million tokens as integer micro-dollars ("1.234567" → 1234567n). */
export const micros = (usd: string) => {
  const [whole = "0", fraction = ""] = usd.split(".");
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
};
/** An exact USD amount in pico-dollars as the telemetry service prints it (trailing zeros trimmed). */
export const usdText = (picos: bigint) => {
  const fraction = (picos % 10n ** 12n).toString().padStart(12, "0").replace(/0+$/, "");
  return fraction ? `${picos / 10n ** 12n}.${fraction}` : `${picos / 10n ** 12n}`;
};

/**
 * What the usage API must say for these answered requests, each billed `tokens`, grouped by
 * model or agent: tokens × price per million = USD × 1e12, in integers.
 */
export function expectedUsage(
  requests: RecordedRequest[],
  tokens: { input: number; output: number },
  prices: Prices,
  groupBy: "model" | "agent",
) {
  const rows = new Map<string, Tally>();
  for (const request of requests) {
    const key = groupBy === "model" ? request.model : (AGENT_OF_TASK[request.task] ?? "?");
    const price = prices[request.model];
    if (!price) throw new Error(`no price for ${request.model}`);
    const row = rows.get(key) ?? { calls: 0, input: 0, output: 0, picos: 0n };
    row.calls++;
    row.input += tokens.input;
    row.output += tokens.output;
    row.picos += BigInt(tokens.input) * micros(price.input) + BigInt(tokens.output) * micros(price.output);
    rows.set(key, row);
  }
  return rows;
}

export function expectUsageRows(body: Body, expected: Map<string, Tally>) {
  const actual = Object.fromEntries(
    body.rows.map((r: Body) => [
      r.key,
      { calls: r.calls, input: r.input_tokens, output: r.output_tokens, cost: r.cost_usd },
    ]),
  );
  const wanted = Object.fromEntries(
    [...expected].map(([key, t]) => [
      key,
      { calls: t.calls, input: t.input, output: t.output, cost: usdText(t.picos) },
    ]),
  );
  expect(actual).toEqual(wanted);
  const total = [...expected.values()].reduce((sum, t) => sum + t.picos, 0n);
  expect(body.total.cost_usd).toBe(usdText(total));
  return total;
}

/** The whole mesh with this agent configuration, plus REST helpers for the test's tenants. */
export function meshFixture(agentEnv: () => Promise<Record<string, string>>) {
  const state = {} as { d: DiscoveryMesh; admin: string };
  beforeAll(async () => {
    state.d = await startDiscoveryMesh({ serviceEnv: { agent: await agentEnv() } });
    state.admin = await state.d.token(state.d.tenant("llm-admin"), ["admin"]);
  });
  afterAll(async () => {
    await state.d?.stop();
  });
  const tenantToken = () => state.d.token(state.d.tenant("llm"));
  const get = async (path: string, token: string) => {
    const res = await state.d.api(path, token);
    return { status: res.status, body: (await res.json()) as Body };
  };
  const put = async (path: string, token: string, body: unknown) => {
    const res = await state.d.api(path, token, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };
  /** Waits until telemetry has recorded `calls` provider calls for the token's tenant. */
  const usageOnceRecorded = (token: string, calls: number, groupBy = "model") =>
    waitFor(`${calls} recorded calls`, async () => {
      const usage = await get(`/v1/usage?group_by=${groupBy}`, token);
      return usage.body.total?.calls === calls ? usage.body : undefined;
    });
  const metrics = async (service: "agent" | "telemetry") =>
    (await fetch(`http://127.0.0.1:${state.d.mesh.ports.metrics[service]}/metrics`)).text();
  return { state, tenantToken, get, put, usageOnceRecorded, metrics };
}

/** Requests the fake received while `run` ran. */
export async function during<T>(
  fake: FakeLlmServer,
  run: () => Promise<T>,
): Promise<{ result: T; requests: RecordedRequest[] }> {
  const before = fake.requests.length;
  const result = await run();
  return { result, requests: fake.requests.slice(before) };
}

/**
 * The same flow, first twice for tenants whose budget is 0 (the agents take the heuristic path
 * before any provider call: the baseline, averaged against this busy machine's noise), then with
 * the provider failing: it must complete, say the provider was unavailable, and take less than
 * three times as long as the baseline.
 */
export async function expectSpeedWithProviderDown(
  f: ReturnType<typeof meshFixture>,
  fake: FakeLlmServer,
  takeDown: () => Promise<void>,
) {
  const baselines: number[] = [];
  for (let run = 0; run < 2; run++) {
    const baselineToken = await f.tenantToken();
    await f.put("/v1/usage/budget", baselineToken, { monthly_usd: "0" });
    const baseline = await during(fake, () => runFlow(f.state.d, baselineToken, SAMPLE));
    expect(baseline.result.flow.status).toBe("completed");
    expect(baseline.result.flow.notices).toContain(BUDGET_NOTICE);
    expect(baseline.requests).toEqual([]);
    baselines.push(baseline.result.ms);
  }
  const baselineMs = baselines.reduce((sum, ms) => sum + ms, 0) / baselines.length;

  await takeDown();
  const token = await f.tenantToken();
  const down = await during(fake, () => runFlow(f.state.d, token, SAMPLE));
  expect(down.result.flow.status).toBe("completed");
  expect(down.result.flow.notices).toContain(CIRCUIT_NOTICE);
  expect(down.result.flow.asset_count).toBe(200);
  expect(down.result.ms).toBeLessThan(3 * baselineMs);
  return { baselineMs: baselines.map((ms) => Math.round(ms)), downMs: Math.round(down.result.ms), token, down };
}
