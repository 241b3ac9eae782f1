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
  { source: "Zone", samples: ["Prod", "Dev", "Test"] },
  { source: "Tier", samples: ["1", "2", "3", "1", "2"] },
  { source: "Notes", samples: ["migrate later", "check licence"] },
  { source: "Fld 9", samples: ["x-1", "x-2", "x-3"] },
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
  it("sends only the unsure columns, each with its header, value profile and candidates", async () => {
    const heuristic = suggestMappings(columns);
    const { refiner, requests } = refinerAnswering((input) => ({
      mappings: input.columns.map((c) => ({ source: c.source, target: null, confidence: 0.5, reason: "no idea" })),
    }));
    await refineMappings(refiner, call, columns, heuristic);
    const asked = JSON.parse(requests[0]?.user ?? "{}").columns;
    // Confident mappings, a sibling and a custom column whose header was fully read are not asked.
    expect(asked.map((c: { source: string }) => c.source)).toEqual(["Fld 2", "Zone", "Tier", "Fld 9"]);
    const zone = asked.find((c: { source: string }) => c.source === "Zone");
    expect(zone.header).toMatchObject({ words: { location: "zone" } });
    expect(zone.value_profile).toMatchObject({ values_seen: 3, distinct_share: 1, kinds: { env: 1 } });
    expect(zone.candidates).toEqual([{ target: "location", confidence: 0.6 }]);
    const tier = asked.find((c: { source: string }) => c.source === "Tier");
    expect(tier.value_profile.numbers).toEqual({ min: 1, max: 3, median: 2 });
    expect(tier.candidates.map((c: { target: string }) => c.target)).toEqual(["criticality", "server_role"]);
    expect(requests[0]?.user).not.toContain("Payroll web");
  });

  it("applies the answer as a second opinion, never over a confident mapping", async () => {
    const heuristic = suggestMappings(columns);
    const { refiner } = refinerAnswering((input) => ({
      mappings: input.columns.map((c) => ({
        source: c.source,
        target: { "Fld 2": "asset_name", Zone: "environment", Tier: "criticality", "Fld 9": "hostname" }[c.source],
        confidence: 0.95,
        reason: "fits",
      })),
    }));
    const { result, notices } = await refineMappings(refiner, call, columns, heuristic);
    expect(notices).toEqual([]);
    const by = new Map(result.suggestions.map((s) => [s.source, s]));
    expect(by.get("Fld 2")).toMatchObject({ target: "asset_name", confidence: 0.9 }); // capped
    // One of the rules' candidates: the model's pick stands.
    expect(by.get("Tier")).toMatchObject({ target: "criticality", confidence: 0.9 });
    // Outside the candidates the rules had: kept below the threshold, for a person to decide.
    expect(by.get("Zone")).toMatchObject({ target: "environment", confidence: 0.79 });
    expect(by.get("Zone")?.alternatives[0]).toEqual({ target: "location", confidence: 0.6 });
    // "hostname" is Hostname's, a confident mapping: Fld 9 keeps what the rules gave it.
    expect(by.get("Fld 9")?.target).toBeNull();
    expect(by.get("Hostname")).toEqual(heuristic.suggestions[0]);
    expect(by.get("Mem")).toEqual(heuristic.suggestions[2]);
    expect(heuristic.suggestions[1]?.target).toBeNull(); // the input was not mutated
  });

  it("moves the rules' target to the alternatives when the model picks another", async () => {
    // A bare "Status" whose values are only partly power states: the rules are unsure.
    const cols: ColumnProfile[] = [{ source: "Status", samples: ["running", "stopped", "retired", "planned"] }];
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
