import { Redis } from "ioredis";

/**
 * A Redis connection that fails calls fast instead of queueing them forever: a cache outage
 * must surface as an error the caller can handle, not as a hung request.
 */
export function createRedis(url: string, options: { name?: string } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}
