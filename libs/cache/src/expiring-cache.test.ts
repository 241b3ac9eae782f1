import { describe, expect, it } from "vitest";
import { createExpiringCache } from "./expiring-cache.ts";

describe("createExpiringCache", () => {
  it("returns a value until its expiry and never after", () => {
    const cache = createExpiringCache<string>(10);
    cache.set("token", "alice", 100);
    expect(cache.get("token", 99.9)).toBe("alice");
    expect(cache.get("token", 100)).toBeUndefined();
    // An expired entry is gone, not only hidden.
    expect(cache.size).toBe(0);
  });

  it("never holds more than its limit", () => {
    const cache = createExpiringCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, 1e12);
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(cache.get("k9")).toBe(9);
  });
});
