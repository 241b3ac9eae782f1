import { ProviderError } from "./llm-provider.ts";

/**
 * Classifies whatever an SDK threw for one attempt. Both SDKs raise errors carrying the HTTP
 * `status` and response `headers`, so this reads those rather than each SDK's classes.
 * `timedOut` says our own per-call timer fired, which the SDKs report as a plain abort.
 */
export function classifyProviderError(error: unknown, timedOut: boolean): ProviderError {
  if (error instanceof ProviderError) return error;
  if (timedOut) return new ProviderError("timeout", "the provider did not answer in time", { cause: error });
  const status = (error as { status?: unknown })?.status;
  if (typeof status === "number") {
    const retryAfterMs = parseRetryAfter((error as { headers?: unknown }).headers);
    const options = { status, retryAfterMs, cause: error };
    if (status === 429) return new ProviderError("rate_limited", "the provider is rate limiting", options);
    if (status === 408) return new ProviderError("timeout", "the provider timed out the request", options);
    if (status >= 500) return new ProviderError("server_error", `the provider failed (${status})`, options);
    if (status === 401 || status === 403) {
      return new ProviderError("auth_error", `the provider refused the credentials (${status})`, options);
    }
    return new ProviderError("client_error", `the provider rejected the request (${status})`, options);
  }
  const name = String((error as { name?: unknown })?.name ?? "");
  if (/timeout/i.test(name))
    return new ProviderError("timeout", "the provider did not answer in time", { cause: error });
  return new ProviderError("connection_error", "the provider could not be reached", { cause: error });
}

/**
 * Retry-After in ms from response headers: OpenAI's `retry-after-ms`, else the standard
 * `retry-after` as seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: unknown, now = Date.now()): number | undefined {
  const get = (name: string): string | null => {
    if (!headers) return null;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === "string" ? value : null;
  };
  const ms = Number(get("retry-after-ms"));
  if (get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = get("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1_000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
