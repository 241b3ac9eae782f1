import type { Redis } from "@migrate/cache";
import { checkHealth, type HealthStatus } from "@migrate/grpc";

export interface ReadinessReport {
  ready: boolean;
  /** Each dependency's state: a gRPC health status, or `ok` / `unreachable` for Redis. */
  checks: Record<string, string>;
  not_ready: string[];
}

/**
 * Ready only when every downstream gRPC service answers SERVING to `grpc.health.v1` and Redis
 * answers PING, all within `timeoutMs`; a draining gateway reports itself not ready first.
 */
export function createReadinessCheck(options: {
  targets: Record<string, string>;
  redis: Redis;
  timeoutMs?: number;
  isDraining?: () => boolean;
}): () => Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 1_000;
  return async () => {
    const grpcChecks = Object.entries(options.targets).map(
      async ([name, target]): Promise<[string, string]> => [name, await checkHealth(target, "", timeoutMs)],
    );
    const redisCheck = (async (): Promise<[string, string]> => {
      try {
        const pong = await withTimeout(options.redis.ping(), timeoutMs);
        return ["redis", pong === "PONG" ? "ok" : "unreachable"];
      } catch {
        return ["redis", "unreachable"];
      }
    })();
    const checks = Object.fromEntries(await Promise.all([...grpcChecks, redisCheck]));
    if (options.isDraining?.()) checks.gateway = "draining";
    const notReady = Object.entries(checks)
      .filter(([name, state]) => (name === "redis" ? state !== "ok" : state !== ("SERVING" satisfies HealthStatus)))
      .map(([name]) => name);
    return { ready: notReady.length === 0, checks, not_ready: notReady };
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
