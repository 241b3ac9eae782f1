import { createRedis } from "@migrate/cache";
import { createDb, sql } from "@migrate/db";
import { connectEvents } from "@migrate/events";
import type { Mesh } from "./start-mesh.ts";

/**
 * Drops what an isolated mesh created: its schemas, its event streams (and their durables) and
 * its Redis keys. For tests and benchmarks, after `mesh.stop()`; never on a non-isolated mesh.
 */
export async function dropMeshState(mesh: Mesh): Promise<void> {
  if (!mesh.suffix) throw new Error("dropMeshState only drops an isolated mesh's state");
  const database = createDb({
    url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    schema: "public",
    name: "mesh-cleanup",
  });
  try {
    for (const name of ["flow", "agent", "learning", "telemetry"]) {
      await sql`drop schema if exists ${sql.id(`${name}${mesh.suffix}`)} cascade`.execute(database.db);
    }
  } finally {
    await database.close();
  }
  const bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "mesh-cleanup" });
  for (const stream of [mesh.env.flow.FLOW_EVENTS_STREAM, mesh.env.flow.USAGE_EVENTS_STREAM]) {
    if (stream) await bus.jsm.streams.delete(stream).catch(() => false);
  }
  await bus.close();
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    const keys = await redis.keys(`${mesh.env.gateway.REDIS_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
