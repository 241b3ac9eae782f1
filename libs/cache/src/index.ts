export type { Redis } from "ioredis";
export { createRedis } from "./create-redis.ts";
export { createExpiringCache, type ExpiringCache } from "./expiring-cache.ts";
