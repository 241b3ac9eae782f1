export type { Redis } from "ioredis";
export { createRedis } from "./create-redis.ts";
