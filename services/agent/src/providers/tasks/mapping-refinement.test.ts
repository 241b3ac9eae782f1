import { createLogger } from "@migrate/logger";
import { createMetricsRegistry } from "@migrate/metrics";
import { describe, expect, it } from "vitest";
import { type ColumnProfile, suggestMappings } from "../../agents/field-mapping.ts";
import { createUsageRecorder } from "../../usage/usage-recorder.ts";
import { createCircuitBreaker } from "../circuit-breaker.ts";
import { createConcurrencyLimiter } from "../concurrency-limiter.ts";
import { createLlmMetrics } from "../llm-metrics.ts";
import type { Completion, CompletionRequest, LlmProvider } from "../llm-provider.ts";
import { createLlmRefiner } from "../llm-refiner.ts";
import type { LlmSettings } from "../llm-settings.ts";
import { refineMappings } from "./mapping-refinement.ts";

const columns: ColumnProfile[] = [
  { source: "Hostname", samples: ["web-01", "db-02", "app-03"] },
  { source: "Fld 2", samples: ["Payroll web", "CRM db", "Intranet"] },
  { source: "Mem", samples: ["16", "32", "8"] },
  { source: "Host", samples: ["a", "b", "c"] },
];

/** An in-process provider answering with `answer(input)`: the refiner's whole path runs for real. */
function refinerAnswering(answer: (input: { columns: Array<{ source: string }> }) => unknown) {
  const requests: CompletionRequest[] = [];
  const provider: LlmProvider = {
    kind: "openai",
    label: "openai",
    async complete(request): Promise<Completion> {
      requests.push(request);
      return { text: JSON.stringify(answer(JSON.parse(request.user))), refusal: null, inputTokens: 1, outputTokens: 1 };
    },
  };
  const settings = {
    models: { field_mapping: "m" },
    timeoutMs: 1_000,
    retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    maxOutputTokens: 100,
    refineBelowConfidence: 0.8,
  } as LlmSettings;
  const metrics = createLlmMetrics(createMetricsRegistry("test"), { tenantLabels: false });
  const refiner = createLlmRefiner({
    settings,
    provider,
    breaker: createCircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
    limiter: createConcurrencyLimiter(1),
    metrics,
    usage: createUsageRecorder({ provider: "openai", metrics }),
    logger: createLogger({ service: "test", level: "silent" }),
  });
  return { refiner, requests };
}
const call = {
  tenant: { clientAccountId: "a", engagementId: "", userId: "", requestId: "", roles: [] },
  flowId: "f",
  signal: new AbortController().signal,
};

describe("mapping refinement", () => {
  it("sends only the unsure columns and keeps a target another column already holds", async () => {
    const heuristic = suggestMappings(columns);
    const { refiner, requests } = refinerAnswering((input) => ({
      mappings: input.columns.map((c) => ({
        source: c.source,
        target: { "Fld 2": "asset_name", Mem: "memory_gb", Host: "hostname" }[c.source] ?? null,
        confidence: 0.95,
        reason: "fits",
      })),
    }));
    const { result, notices } = await refineMappings(refiner, call, columns, heuristic);
    expect(notices).toEqual([]);
    expect(JSON.parse(requests[0]?.user ?? "{}").columns.map((c: { source: string }) => c.source)).toEqual(
      heuristic.suggestions.filter((s) => s.target === null || s.confidence < 0.8).map((s) => s.source),
    );
    const by = new Map(result.suggestions.map((s) => [s.source, s]));
    expect(by.get("Fld 2")).toMatchObject({ target: "asset_name", confidence: 0.9 }); // capped
    expect(by.get("Mem")).toMatchObject({ target: "memory_gb" });
    expect(by.get("Hostname")).toMatchObject({ target: "hostname", confidence: heuristic.suggestions[0]?.confidence });
    // "hostname" is Hostname's already: Host keeps what the rules gave it.
    expect(by.get("Host")?.target).toBe(heuristic.suggestions[3]?.target);
    expect(heuristic.suggestions[1]?.target).toBeNull(); // the input was not mutated
  });

  it("moves the rules' target to the alternatives when the model picks another", async () => {
    // A bare "Status" whose values are only partly power states: the rules are unsure.
    const cols: ColumnProfile[] = [{ source: "Status", samples: ["running", "stopped", "degraded"] }];
    const heuristic = suggestMappings(cols);
    const before = heuristic.suggestions[0];
    expect(before).toMatchObject({ target: "power_state" });
    expect(before?.confidence).toBeLessThan(0.8);
    const { refiner } = refinerAnswering(() => ({
      mappings: [{ source: "Status", target: "technology_stack", confidence: 0.7, reason: "stack" }],
    }));
    const { result } = await refineMappings(refiner, call, cols, heuristic);
    expect(result.suggestions[0]).toMatchObject({ target: "technology_stack", confidence: 0.7 });
    expect(result.suggestions[0]?.alternatives[0]).toEqual({ target: "power_state", confidence: before?.confidence });
  });
});
