import type { ProviderError } from "./llm-provider.ts";

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  /** No wait is longer; a Retry-After beyond it is not retried at all. */
  maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1-based), or undefined when the error must not be
 * retried: 400/401/403 never are, and neither is a Retry-After longer than `maxDelayMs`
 * (waiting that long for a refinement costs the flow more than the heuristic answer does).
 * A Retry-After is honoured as a floor, plus up to 10% jitter so replicas do not return in
 * step; otherwise exponential backoff with "equal jitter": half fixed, half random.
 */
export function retryDelayMs(
  error: ProviderError,
  retry: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number | undefined {
  if (!error.retryable || retry > settings.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > settings.maxDelayMs) return undefined;
    return Math.round(error.retryAfterMs * (1 + 0.1 * random()));
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
