import type { TenantContext } from "@migrate/grpc";
import { createLogger } from "@migrate/logger";
import { describe, expect, it } from "vitest";
import { createBudgetGuard } from "./budget-guard.ts";

const logger = createLogger({ service: "test", level: "silent" });
const tenant = (id: string): TenantContext => ({
  clientAccountId: id,
  engagementId: "",
  userId: "",
  requestId: "",
  roles: [],
});

describe("budget guard", () => {
  it("caches each tenant's answer for the cache period and shares one check between concurrent calls", async () => {
    let now = 0;
    const checks: string[] = [];
    let exhausted = false;
    const guard = createBudgetGuard({
      check: async (t) => {
        checks.push(t.clientAccountId);
        return { exhausted };
      },
      cacheMs: 5_000,
      logger,
      now: () => now,
    });
    expect(await Promise.all([guard.isExhausted(tenant("a")), guard.isExhausted(tenant("a"))])).toEqual([false, false]);
    exhausted = true;
    now = 4_999;
    expect(await guard.isExhausted(tenant("a"))).toBe(false);
    expect(await guard.isExhausted(tenant("b"))).toBe(true);
    now = 5_000;
    expect(await guard.isExhausted(tenant("a"))).toBe(true);
    expect(checks).toEqual(["a", "b", "a"]);
  });

  it("fails open when telemetry cannot answer", async () => {
    const guard = createBudgetGuard({
      check: async () => {
        throw new Error("UNAVAILABLE");
      },
      cacheMs: 0,
      logger,
    });
    expect(await guard.isExhausted(tenant("a"))).toBe(false);
  });

  it("announces an exhausted budget once per flow", () => {
    const guard = createBudgetGuard({ check: async () => ({ exhausted: true }), cacheMs: 0, logger });
    expect(guard.firstExhaustionOf(tenant("a"), "f1")).toBe(true);
    expect(guard.firstExhaustionOf(tenant("a"), "f1")).toBe(false);
    expect(guard.firstExhaustionOf(tenant("a"), "f2")).toBe(true);
    expect(guard.firstExhaustionOf(tenant("b"), "f1")).toBe(true);
  });
});
