import type { Redis } from "@migrate/cache";
import { MeshError } from "@migrate/errors";
import type { Logger } from "@migrate/logger";
import { Counter, type Registry } from "@migrate/metrics";

/** `requests`: every authenticated call; `uploads`: flow creations, which also count as requests. */
export type RateBucket = "requests" | "uploads";

export interface RateLimiter {
  /** Counts one call of `bucket` for the tenant; throws RATE_LIMITED (429) once its budget is spent. */
  check(clientAccountId: string, bucket: RateBucket): Promise<void>;
}

export interface RateLimitOptions {
  keyPrefix: string;
  perMinute: number;
  uploadsPerMinute: number;
  /** Injected by tests; Date.now otherwise. */
  now?: () => number;
}

const WINDOW_MS = 60_000;
const LOG_EVERY_MS = 60_000;

// One round trip: count the call in every bucket it belongs to; a new window key expires
// shortly after the window ends, so Redis never keeps more than two windows per tenant.
const COUNT = `local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call("INCR", key)
  if n == 1 then redis.call("PEXPIRE", key, ARGV[1]) end
  counts[i] = n
end
return counts`;

/**
 * Fixed-window counters per tenant in Redis (`<prefix>rl:<bucket>:<client_account_id>:<window>`).
 * A Redis outage must not take the API down: calls are let through (fail open), the bypass is
 * counted in `gateway_rate_limit_bypassed_total` and logged at most once a minute.
 */
export function createRateLimiter(
  redis: Redis,
  options: RateLimitOptions,
  deps: { logger: Logger; registry: Registry },
): RateLimiter {
  const now = options.now ?? Date.now;
  const limits: Record<RateBucket, number> = { requests: options.perMinute, uploads: options.uploadsPerMinute };
  const refused = new Counter({
    name: "gateway_rate_limited_total",
    help: "Calls refused with 429 because the tenant's budget for the minute was spent",
    labelNames: ["bucket"] as const,
    registers: [deps.registry],
  });
  const bypassed = new Counter({
    name: "gateway_rate_limit_bypassed_total",
    help: "Calls let through unchecked because Redis could not count them (fail open)",
    registers: [deps.registry],
  });
  let lastLogged = 0;
  const failOpen = (error: unknown) => {
    bypassed.inc();
    const at = now();
    if (at - lastLogged < LOG_EVERY_MS) return;
    lastLogged = at;
    deps.logger.warn({ err: error }, "rate limiting is off: redis is unavailable; letting calls through");
  };

  return {
    async check(clientAccountId, bucket) {
      const at = now();
      const window = Math.floor(at / WINDOW_MS);
      const buckets: RateBucket[] = bucket === "uploads" ? ["uploads", "requests"] : ["requests"];
      // Not connected: do not queue behind the reconnect, answer now.
      if (redis.status !== "ready") {
        failOpen(new Error(`redis connection is ${redis.status}`));
        return;
      }
      let counts: number[];
      try {
        const keys = buckets.map((name) => `${options.keyPrefix}rl:${name}:${clientAccountId}:${window}`);
        counts = (await redis.eval(COUNT, keys.length, ...keys, WINDOW_MS + 5_000)) as number[];
      } catch (error) {
        failOpen(error);
        return;
      }
      for (const [index, name] of buckets.entries()) {
        const limit = limits[name];
        if ((counts[index] ?? 0) <= limit) continue;
        refused.inc({ bucket: name });
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - at) / 1000));
        const what = name === "uploads" ? "uploads" : "requests";
        throw new MeshError(
          "RATE_LIMITED",
          `rate limit of ${limit} ${what} per minute exceeded; retry in ${retryAfter} s`,
          { bucket: name, limit, retry_after_seconds: retryAfter },
        );
      }
    },
  };
}
