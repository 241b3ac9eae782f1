import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

/** One NATS connection per process, reconnecting forever: a broker restart must not kill a service. */
export async function connectEvents(options: { servers: string; name: string }): Promise<EventBus> {
  const nc = await connect({
    servers: options.servers.split(","),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: 5_000,
  });
  const js = jetstream(nc, { timeout: 5_000 });
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  return {
    nc,
    js,
    jsm,
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
