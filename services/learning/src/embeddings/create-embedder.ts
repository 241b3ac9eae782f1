import type { Logger } from "@migrate/logger";
import type { LearningConfig } from "../config.ts";
import { builtinEmbedder } from "./builtin-embedder.ts";
import type { Embedder } from "./embedder.ts";
import { withFallback } from "./fallback-embedder.ts";
import { openAiEmbedder } from "./openai-embedder.ts";

/** The configured embedder: built-in, or an OpenAI-compatible provider backed by the built-in one. */
export function createEmbedder(config: LearningConfig, logger: Logger, onFallback?: () => void): Embedder {
  const builtin = builtinEmbedder();
  if (config.EMBEDDINGS_PROVIDER === "builtin") return builtin;
  const provider = openAiEmbedder({
    baseUrl: config.EMBEDDINGS_BASE_URL,
    apiKey: config.EMBEDDINGS_API_KEY,
    model: config.EMBEDDINGS_MODEL,
    timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
  });
  return withFallback(provider, builtin, { logger, retryAfterMs: config.EMBEDDINGS_RETRY_AFTER_MS, onFallback });
}
