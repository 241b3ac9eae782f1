export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreaker {
  readonly state: CircuitState;
  /** True while open and cooling down: callers fall back without queueing. */
  rejectsNow(): boolean;
  /** Asks to make one attempt; in half-open only a single probe is let through. */
  tryAcquire(): boolean;
  /** The attempt reached a healthy provider (any HTTP answer it did not fail). */
  onSuccess(): void;
  /** The attempt failed in a way that says the provider is unwell (timeout, 429, 5xx, network). */
  onFailure(): void;
  /** The attempt ended without a verdict (our bad request, the caller gave up). */
  release(): void;
}

/**
 * A circuit breaker for one provider: after `failureThreshold` consecutive failures it opens
 * and refuses attempts for `cooldownMs`, then lets one probe through (half-open); the probe's
 * success closes it, its failure opens it again for another cool-down.
 */
export function createCircuitBreaker(options: {
  failureThreshold: number;
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (state: CircuitState) => void;
}): CircuitBreaker {
  const now = options.now ?? Date.now;
  let state: CircuitState = "closed";
  let failures = 0;
  let openedAt = 0;
  let probeInFlight = false;
  const move = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };
  const coolingDown = () => state === "open" && now() - openedAt < options.cooldownMs;

  return {
    get state() {
      return state;
    },
    rejectsNow: coolingDown,
    tryAcquire() {
      if (state === "closed") return true;
      if (coolingDown()) return false;
      if (state === "open") move("half_open");
      if (probeInFlight) return false;
      probeInFlight = true;
      return true;
    },
    onSuccess() {
      failures = 0;
      probeInFlight = false;
      move("closed");
    },
    onFailure() {
      probeInFlight = false;
      failures++;
      if (state === "half_open" || failures >= options.failureThreshold) {
        openedAt = now();
        move("open");
      }
    },
    release() {
      probeInFlight = false;
    },
  };
}
