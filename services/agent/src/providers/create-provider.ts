import { heuristicProvider } from "./heuristic-provider.ts";
import type { LlmProvider } from "./llm-provider.ts";
import type { LlmSettings } from "./llm-settings.ts";

/**
 * The configured provider; the heuristic one unless LLM_PROVIDER names another. The SDKs are
 * imported only when chosen: loading them costs start-up time a heuristic service never needs.
 */
export async function createProvider(settings: LlmSettings): Promise<LlmProvider> {
  const common = {
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    label: settings.label,
    timeoutMs: settings.timeoutMs,
  };
  if (settings.provider === "openai") {
    const { createOpenAiProvider } = await import("./openai-provider.ts");
    return createOpenAiProvider({ ...common, jsonMode: settings.jsonMode });
  }
  if (settings.provider === "anthropic") {
    const { createAnthropicProvider } = await import("./anthropic-provider.ts");
    return createAnthropicProvider(common);
  }
  return heuristicProvider;
}
