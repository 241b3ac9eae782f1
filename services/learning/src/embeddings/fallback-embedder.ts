import type { Logger } from "@migrate/logger";
import type { Embedder, EmbeddingBatch, EmbeddingInput } from "./embedder.ts";

export interface FallbackOptions {
  logger: Logger;
  /** After a failure, the fallback alone answers this long before the primary is tried again. */
  retryAfterMs: number;
  /** Counts every batch the fallback answered because the primary failed or was resting. */
  onFallback?: () => void;
}

/**
 * The primary embedder (a provider) with the built-in one behind it: a timeout or error never
 * fails the caller's request. An outage is logged once when it starts and once when it ends, not
 * per call, and the primary is left alone for `retryAfterMs` after each failure so a hanging
 * provider does not add its timeout to every request. `model` stays the primary's: rows the
 * fallback embedded are re-embedded at the next start.
 */
export function withFallback(primary: Embedder, fallback: Embedder, options: FallbackOptions): Embedder {
  let failing = false;
  let retryAt = 0;
  return {
    model: primary.model,
    async embed(inputs: readonly EmbeddingInput[]): Promise<EmbeddingBatch> {
      if (failing && Date.now() < retryAt) {
        options.onFallback?.();
        return fallback.embed(inputs);
      }
      try {
        const batch = await primary.embed(inputs);
        if (failing) {
          failing = false;
          options.logger.info({ model: primary.model }, "embedding provider recovered; its embeddings are used again");
        }
        return batch;
      } catch (error) {
        if (!failing) {
          options.logger.warn(
            {
              model: primary.model,
              fallback: fallback.model,
              reason: reasonOf(error),
              retry_after_ms: options.retryAfterMs,
            },
            "embedding provider failed; falling back to the built-in embedder",
          );
        }
        failing = true;
        retryAt = Date.now() + options.retryAfterMs;
        options.onFallback?.();
        return fallback.embed(inputs);
      }
    },
  };
}

// The reason without the request (no key, no inputs): a timeout, a status, a refused connection.
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timeout";
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
