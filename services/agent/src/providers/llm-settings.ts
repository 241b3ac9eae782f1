import type { AgentConfig } from "../config.ts";
import { LLM_AGENTS, type LlmAgent, type ProviderKind } from "./llm-provider.ts";
import type { RetrySettings } from "./retry-policy.ts";

/** The LLM part of the agent service's configuration, resolved once at start. */
export interface LlmSettings {
  provider: ProviderKind;
  /** The provider name usage is recorded and priced under. */
  label: string;
  baseURL?: string;
  apiKey: string;
  jsonMode: "json_schema" | "json_object";
  /** The model each agent asks; only agents listed here use the provider. */
  models: Partial<Record<LlmAgent, string>>;
  timeoutMs: number;
  retry: RetrySettings;
  maxConcurrency: number;
  circuit: { failureThreshold: number; cooldownMs: number };
  budgetCacheMs: number;
  maxOutputTokens: number;
  refineBelowConfidence: number;
}

/** Resolves models per agent (LLM_MODEL_<AGENT> over LLM_MODEL) and the provider label. */
export function llmSettings(config: AgentConfig): LlmSettings {
  const enabled = new Set(
    config.LLM_AGENTS.split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
  for (const name of enabled) {
    if (!(LLM_AGENTS as readonly string[]).includes(name)) {
      throw new Error(`LLM_AGENTS names unknown agent "${name}"; known: ${LLM_AGENTS.join(", ")}`);
    }
  }
  const perAgent: Record<LlmAgent, string | undefined> = {
    field_mapping: config.LLM_MODEL_FIELD_MAPPING,
    classification: config.LLM_MODEL_CLASSIFICATION,
    strategy: config.LLM_MODEL_STRATEGY,
  };
  const models: Partial<Record<LlmAgent, string>> = {};
  if (config.LLM_PROVIDER !== "heuristic") {
    for (const agent of LLM_AGENTS) {
      const model = perAgent[agent] ?? config.LLM_MODEL;
      if (enabled.has(agent) && model) models[agent] = model;
    }
  }
  return {
    provider: config.LLM_PROVIDER,
    label: config.LLM_PROVIDER_LABEL ?? defaultLabel(config.LLM_PROVIDER, config.LLM_BASE_URL),
    baseURL: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY ?? "",
    jsonMode: config.LLM_JSON_MODE,
    models,
    timeoutMs: config.LLM_TIMEOUT_MS,
    retry: {
      maxRetries: config.LLM_MAX_RETRIES,
      baseDelayMs: config.LLM_RETRY_BASE_MS,
      maxDelayMs: config.LLM_MAX_RETRY_DELAY_MS,
    },
    maxConcurrency: config.LLM_MAX_CONCURRENCY,
    circuit: { failureThreshold: config.LLM_CIRCUIT_FAILURE_THRESHOLD, cooldownMs: config.LLM_CIRCUIT_COOLDOWN_MS },
    budgetCacheMs: config.LLM_BUDGET_CACHE_MS,
    maxOutputTokens: config.LLM_MAX_OUTPUT_TOKENS,
    refineBelowConfidence: config.LLM_REFINE_BELOW_CONFIDENCE,
  };
}

// DeepInfra serves the OpenAI protocol but bills at its own prices: record it as itself.
function defaultLabel(provider: ProviderKind, baseURL: string | undefined): string {
  if (provider !== "openai") return provider;
  const host = baseURL ? new URL(baseURL).hostname : "api.openai.com";
  return host.endsWith("deepinfra.com") ? "deepinfra" : "openai";
}
