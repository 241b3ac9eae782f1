import { describe, expect, it } from "vitest";
import { type CircuitState, createCircuitBreaker } from "./circuit-breaker.ts";

function breaker() {
  let now = 0;
  const states: CircuitState[] = [];
  const b = createCircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1_000,
    now: () => now,
    onStateChange: (s) => states.push(s),
  });
  return { b, states, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  it("opens after N consecutive failures, not after interleaved ones", () => {
    const { b } = breaker();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe("closed");
    b.onFailure();
    expect(b.state).toBe("open");
    expect(b.rejectsNow()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
  });

  it("lets exactly one probe through after the cool-down; its success closes the circuit", () => {
    const { b, states, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.rejectsNow()).toBe(false);
    expect(b.tryAcquire()).toBe(true);
    expect(b.state).toBe("half_open");
    expect(b.tryAcquire()).toBe(false); // the probe is in flight
    b.onSuccess();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
    expect(states).toEqual(["open", "half_open", "closed"]);
  });

  it("re-opens for another cool-down when the probe fails, and frees the probe on release", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true); // released without a verdict: another probe may go
    b.onFailure();
    expect(b.state).toBe("open");
    advance(500);
    expect(b.tryAcquire()).toBe(false);
  });
});
