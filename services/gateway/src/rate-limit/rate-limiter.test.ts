import { randomBytes } from "node:crypto";
import { createRedis } from "@migrate/cache";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry } from "@migrate/metrics";
import { afterAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limiter.ts";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const keyPrefix = `mm:rltest:${randomBytes(4).toString("hex")}:`;
const logger = createLogger({ service: "test", level: "silent" });

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

function limiter(now: () => number, target = redis) {
  const registry = createMetricsRegistry("test");
  return {
    registry,
    limiter: createRateLimiter(target, { keyPrefix, perMinute: 3, uploadsPerMinute: 1, now }, { logger, registry }),
  };
}

async function refusal(promise: Promise<void>) {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; details: Record<string, unknown> };
  }
  return undefined;
}

describe("createRateLimiter", () => {
  it("refuses the call over the budget with the seconds left in the window, per tenant", async () => {
    await redis.ping();
    const start = 1_800_000_000_000; // a window boundary
    let now = start + 45_500;
    const { limiter: rl } = limiter(() => now);
    for (let i = 0; i < 3; i++) await rl.check("acme", "requests");
    expect(await refusal(rl.check("acme", "requests"))).toMatchObject({
      code: "RATE_LIMITED",
      details: { bucket: "requests", limit: 3, retry_after_seconds: 15 },
    });
    await rl.check("globex", "requests");
    now = start + 60_000;
    await rl.check("acme", "requests");
  });

  it("counts an upload in both budgets", async () => {
    const now = 1_800_000_120_000;
    const { limiter: rl } = limiter(() => now);
    await rl.check("initech", "uploads");
    expect(await refusal(rl.check("initech", "uploads"))).toMatchObject({ details: { bucket: "uploads", limit: 1 } });
    // Two uploads counted as requests too: one more request fits, the next does not.
    await rl.check("initech", "requests");
    expect((await refusal(rl.check("initech", "requests")))?.details.bucket).toBe("requests");
  });

  it("lets calls through when Redis is down, counting them", async () => {
    const dead = createRedis("redis://127.0.0.1:1");
    dead.on("error", () => {});
    try {
      const { limiter: rl, registry } = limiter(() => Date.now(), dead);
      for (let i = 0; i < 10; i++) await rl.check("acme", "requests");
      expect(await registry.getSingleMetricAsString("gateway_rate_limit_bypassed_total")).toMatch(/ 10$/m);
    } finally {
      dead.disconnect();
    }
  });
});
