import type { LlmProvider } from "./llm-provider.ts";

/**
 * The default: no model, no network. It never refines, so the deterministic agents' answers
 * stand as they are; the refiner short-circuits on it before any accounting.
 */
export const heuristicProvider: LlmProvider = {
  kind: "heuristic",
  label: "heuristic",
  async complete() {
    return { text: null, refusal: null, inputTokens: 0, outputTokens: 0 };
  },
};
