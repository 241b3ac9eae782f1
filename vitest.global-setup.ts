/**
 * Integration tests talk to real PostgreSQL (with pgvector), NATS JetStream and Redis. This
 * workplace's machines run them locally; on a machine with none listening but a Docker engine,
 * they are started here with testcontainers and their URLs exported to every test process.
 */
import { connect } from "node:net";

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 500 });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const [pg, nats, redis] = await Promise.all([listening(5432), listening(4222), listening(6379)]);
  if (pg && nats && redis) return undefined;
  const { GenericContainer, Wait } = await import("testcontainers");
  const started: Array<{ stop(): Promise<unknown> }> = [];
  if (!pg && !process.env.DATABASE_URL) {
    const container = await new GenericContainer("pgvector/pgvector:pg15")
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: "trust" })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    started.push(container);
    process.env.DATABASE_URL = `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  }
  if (!nats && !process.env.NATS_URL) {
    const container = await new GenericContainer("nats:2.10").withCommand(["-js"]).withExposedPorts(4222).start();
    started.push(container);
    process.env.NATS_URL = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
  }
  if (!redis && !process.env.REDIS_URL) {
    const container = await new GenericContainer("redis:7").withExposedPorts(6379).start();
    started.push(container);
    process.env.REDIS_URL = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  }
  return async () => {
    await Promise.all(started.map((container) => container.stop()));
  };
}
