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

function limiter(now: () => number, target = redis, perMinute = 3) {
  const registry = createMetricsRegistry("test");
  return {
    registry,
    limiter: createRateLimiter(target, { keyPrefix, perMinute, uploadsPerMinute: 1, now }, { logger, registry }),
  };
}

const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

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

  it("admits exactly the budget from a burst of concurrent calls, and Redis ends up with every call", async () => {
    const now = 1_800_000_240_000;
    const { limiter: rl } = limiter(() => now, redis, 20);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        rl.check("umbrella", "requests").then(
          () => "ok",
          (error) => error.code,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(20);
    expect(outcomes.filter((outcome) => outcome === "RATE_LIMITED")).toHaveLength(30);
    await settle();
    expect(Number(await redis.get(`${keyPrefix}rl:requests:umbrella:${Math.floor(now / 60_000)}`))).toBe(50);
  });

  it("shares one budget between gateways through Redis", async () => {
    const now = 1_800_000_300_000;
    const first = limiter(() => now, redis, 10).limiter;
    const second = limiter(() => now, redis, 10).limiter;
    let admitted = 0;
    for (let i = 0; i < 30; i++) {
      const outcome = await (i % 2 ? first : second).check("hooli", "requests").then(
        () => true,
        () => false,
      );
      if (outcome) admitted++;
      // Calls further apart than a flush: each gateway has heard of the other's.
      await settle(15);
    }
    expect(admitted).toBe(10);
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
