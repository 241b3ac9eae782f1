import { describe, expect, it } from "vitest";
import { ProviderError } from "./llm-provider.ts";
import { classifyProviderError, parseRetryAfter } from "./provider-errors.ts";
import { retryDelayMs } from "./retry-policy.ts";

const settings = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 5_000 };
const headers = (init: Record<string, string>) => new Headers(init);

describe("retry policy", () => {
  it("never retries 400, 401 or 403", () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const error = classifyProviderError({ status, headers: headers({}) }, false);
      expect(error.retryable).toBe(false);
      expect(retryDelayMs(error, 1, settings)).toBeUndefined();
    }
  });

  it("retries 429, 5xx, timeouts and dropped connections, at most maxRetries times", () => {
    const errors = [
      classifyProviderError({ status: 429, headers: headers({}) }, false),
      classifyProviderError({ status: 503, headers: headers({}) }, false),
      classifyProviderError({ status: 529, headers: headers({}) }, false),
      classifyProviderError(new Error("aborted"), true),
      classifyProviderError(Object.assign(new Error("socket hang up"), { name: "APIConnectionError" }), false),
    ];
    expect(errors.map((e) => e.kind)).toEqual([
      "rate_limited",
      "server_error",
      "server_error",
      "timeout",
      "connection_error",
    ]);
    for (const error of errors) {
      expect(retryDelayMs(error, 3, settings)).toBeGreaterThan(0);
      expect(retryDelayMs(error, 4, settings)).toBeUndefined();
    }
  });

  it("backs off exponentially with jitter inside [ceiling/2, ceiling]", () => {
    const error = new ProviderError("server_error", "boom");
    expect(retryDelayMs(error, 1, settings, () => 0)).toBe(50);
    expect(retryDelayMs(error, 1, settings, () => 1)).toBe(100);
    expect(retryDelayMs(error, 3, settings, () => 0)).toBe(200);
    expect(retryDelayMs(error, 3, settings, () => 1)).toBe(400);
    expect(retryDelayMs(error, 3, { ...settings, maxDelayMs: 300 }, () => 1)).toBe(300);
  });

  it("honours Retry-After as a floor, and gives up when it asks for longer than the cap", () => {
    const limited = classifyProviderError({ status: 429, headers: headers({ "retry-after": "2" }) }, false);
    expect(limited.retryAfterMs).toBe(2_000);
    expect(retryDelayMs(limited, 1, settings, () => 0)).toBe(2_000);
    expect(retryDelayMs(limited, 1, settings, () => 1)).toBe(2_200);
    expect(retryDelayMs(limited, 1, { ...settings, maxDelayMs: 1_000 })).toBeUndefined();
  });

  it("reads retry-after-ms, seconds and HTTP dates", () => {
    expect(parseRetryAfter(headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(parseRetryAfter(headers({ "retry-after": "1.5" }))).toBe(1_500);
    const now = Date.parse("2026-11-26T10:00:00Z");
    expect(parseRetryAfter(headers({ "retry-after": "Thu, 26 Nov 2026 10:00:03 GMT" }), now)).toBe(3_000);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
