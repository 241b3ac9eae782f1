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
// How long counts gather before they are sent: one round trip carries a burst's calls.
const FLUSH_MS = 5;
// The last part of a budget is counted one call at a time in Redis: other gateways' calls of
// the last few milliseconds cannot push a tenant over it.
const EXACT_SHARE = 0.1;

// The first call of a tenant's window: count it and learn the window's total, in one round
// trip. A new window key expires shortly after the window ends, so Redis never keeps more
// than two windows per tenant.
const COUNT = `local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call("INCRBY", key, ARGV[i + 1])
  if n == tonumber(ARGV[i + 1]) then redis.call("PEXPIRE", key, ARGV[1]) end
  counts[i] = n
end
return counts`;

/** One tenant's bucket in one window, as this gateway knows it. */
interface WindowCount {
  window: number;
  /** The window's total in Redis after this gateway's last round trip (every gateway's calls). */
  known: number;
  /** Calls counted here and not yet sent. */
  pending: number;
  /** Calls on their way to Redis, not yet in `known`. */
  sending: number;
  /** Whether a round trip has told `known` yet. */
  primed: boolean;
}

/**
 * Fixed-window counters per tenant in Redis (`<prefix>rl:<bucket>:<client_account_id>:<window>`).
 * The first call of a tenant's window waits for Redis, which counts it and tells the window's
 * total so far; later calls are decided at once from that total plus this gateway's own calls,
 * and their counts go to Redis every few milliseconds in one round trip for all tenants, whose
 * answer refreshes the totals. The last tenth of a budget is counted call by call in Redis
 * again. So most calls cost no round trip of their own, one gateway is exact, and several
 * gateways together can only overshoot when more than a tenth of a budget arrives at the others
 * within one flush.
 * Refused calls count too, as before. A Redis outage must not take the API down: calls are let
 * through (fail open), the bypass is counted in `gateway_rate_limit_bypassed_total` and logged
 * at most once a minute.
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

  // Keyed by the Redis key; entries of past windows are dropped at the next flush.
  const counts = new Map<string, WindowCount>();
  let flushTimer: NodeJS.Timeout | undefined;

  // A defined command goes by its SHA (EVALSHA), not with the script's text each time.
  if (!("migrateRateCount" in redis)) redis.defineCommand("migrateRateCount", { lua: COUNT });
  const counter = redis as Redis & { migrateRateCount(...args: (string | number)[]): Promise<number[]> };
  /** Adds `amounts` to the keys in one round trip; the windows' new totals. */
  const send = (keys: string[], amounts: number[]): Promise<number[]> =>
    counter.migrateRateCount(keys.length, ...keys, WINDOW_MS + 5_000, ...amounts);

  const flush = async () => {
    flushTimer = undefined;
    const window = Math.floor(now() / WINDOW_MS);
    const batch: [string, WindowCount, number][] = [];
    for (const [key, count] of counts) {
      if (count.window < window) counts.delete(key);
      else if (count.pending > 0) batch.push([key, count, count.pending]);
    }
    if (batch.length === 0) return;
    for (const [, count, amount] of batch) {
      count.pending -= amount;
      count.sending += amount;
    }
    let totals: number[] = [];
    try {
      totals = await send(
        batch.map(([key]) => key),
        batch.map(([, , amount]) => amount),
      );
    } catch (error) {
      // Those calls were let through already; their counts are lost with the round trip.
      failOpen(error);
    }
    // Calls counted meanwhile stay pending on top of the new total.
    for (const [index, [, count, amount]] of batch.entries()) {
      count.sending -= amount;
      count.known = Math.max(count.known, totals[index] ?? 0);
    }
  };
  const scheduleFlush = () => {
    flushTimer ??= setTimeout(() => void flush(), FLUSH_MS);
    flushTimer.unref();
  };

  /** The call's place in each bucket's window (1 for the first call), counting it. */
  const place = async (keys: string[], window: number, budgets: number[]): Promise<number[]> => {
    const entries = keys.map((key) => {
      let count = counts.get(key);
      if (!count || count.window !== window) {
        count = { window, known: 0, pending: 0, sending: 0, primed: false };
        counts.set(key, count);
      }
      return count;
    });
    const local = entries.every(
      (count, index) =>
        count.primed && count.known + count.sending + count.pending + 1 <= (budgets[index] ?? 0) * (1 - EXACT_SHARE),
    );
    if (local) {
      const places = entries.map((count) => count.known + count.sending + ++count.pending);
      scheduleFlush();
      return places;
    }
    // The window's first call, or one near the budget: counted in Redis with what is pending.
    const amounts = entries.map((count) => count.pending + 1);
    for (const [index, count] of entries.entries()) {
      count.pending = 0;
      count.sending += amounts[index] ?? 0;
    }
    try {
      const totals = await send(keys, amounts);
      for (const [index, count] of entries.entries()) {
        count.known = Math.max(count.known, totals[index] ?? 0);
        count.primed = true;
      }
      return totals;
    } finally {
      for (const [index, count] of entries.entries()) count.sending -= amounts[index] ?? 0;
    }
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
      let places: number[];
      try {
        places = await place(
          buckets.map((name) => `${options.keyPrefix}rl:${name}:${clientAccountId}:${window}`),
          window,
          buckets.map((name) => limits[name]),
        );
      } catch (error) {
        failOpen(error);
        return;
      }
      for (const [index, name] of buckets.entries()) {
        const limit = limits[name];
        if ((places[index] ?? 0) <= limit) continue;
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
