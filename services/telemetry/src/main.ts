import { loadConfig } from "@migrate/config";
import { createDb, migrateToLatest, sql } from "@migrate/db";
import { connectEvents, flowEventNames, usageEventNames } from "@migrate/events";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { addService, createMeshCredentials, startGrpcServer } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, registerPoolMetrics, startMetricsServer } from "@migrate/metrics";
import { telemetryConfigSchema } from "./config.ts";
import { telemetryMigrations } from "./db/migrations/index.ts";
import type { TelemetryDatabase } from "./db/telemetry-database.ts";
import { flowEventRecorder } from "./events/flow-event-recorder.ts";
import { startEventConsumer } from "./events/start-event-consumer.ts";
import { createTelemetryMetrics, registerConsumerLag } from "./events/telemetry-metrics.ts";
import { usageEventRecorder } from "./events/usage-event-recorder.ts";
import { telemetryServiceImpl } from "./server/telemetry-service-impl.ts";

const config = loadConfig(telemetryConfigSchema);
const logger = createLogger({ service: "telemetry", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });

const database = createDb<TelemetryDatabase>({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: `telemetry-${config.SERVICE_INSTANCE}`,
  onConnectionError: (error) => logger.warn({ err: error }, "database connection lost"),
});
// The Helm chart migrates in a hook Job (./migrate.ts) before the pods start, and sets false.
if (config.MIGRATE_ON_START) {
  const applied = await migrateToLatest(database.db, database.schema, telemetryMigrations);
  logger.info({ schema: database.schema, applied }, "migrations applied");
}

const registry = createMetricsRegistry("telemetry");
const metrics = createTelemetryMetrics(registry, { tenantLabels: config.METRICS_TENANT_LABELS });
registerPoolMetrics(registry, database.pool);
const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.BIND_HOST, registry });

const bus = await connectEvents({ servers: config.NATS_URL, name: `telemetry-${config.SERVICE_INSTANCE}` });
const consumer = await startEventConsumer({
  bus,
  names: flowEventNames({ stream: config.FLOW_EVENTS_STREAM, subjectPrefix: config.FLOW_EVENTS_SUBJECT_PREFIX }),
  durable: config.TELEMETRY_DURABLE,
  ackWaitMs: config.TELEMETRY_ACK_WAIT_MS,
  logger,
  handle: flowEventRecorder({ db: database.db, logger, metrics }),
});
registerConsumerLag(registry, consumer.pending);
// Durable names are per stream: the usage stream's durable shares TELEMETRY_DURABLE.
const usageConsumer = await startEventConsumer({
  bus,
  names: usageEventNames({ stream: config.USAGE_EVENTS_STREAM, subjectPrefix: config.USAGE_EVENTS_SUBJECT_PREFIX }),
  what: "usage events",
  durable: config.TELEMETRY_DURABLE,
  ackWaitMs: config.TELEMETRY_ACK_WAIT_MS,
  logger,
  handle: usageEventRecorder({ db: database.db, logger, metrics }),
});
registerConsumerLag(
  registry,
  usageConsumer.pending,
  "telemetry_usage_events_consumer_pending",
  "LLM usage events in the stream not yet delivered to the telemetry durable consumer",
);

const credentials = createMeshCredentials({ secret: config.MESH_SECRET, issuer: "telemetry" });
const grpcServer = await startGrpcServer({
  host: config.BIND_HOST,
  port: config.GRPC_PORT,
  maxConnectionAge: { ms: config.GRPC_MAX_CONNECTION_AGE_MS, graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS },
  serviceNames: [TelemetryService.typeName],
  probes: { database: () => sql`select 1`.execute(database.db), nats: () => bus.nc.rtt() },
  logger,
  register: (server) =>
    addService(server, TelemetryService, telemetryServiceImpl(database.db), logger, { credentials, registry }),
});
logger.info({ grpc_port: grpcServer.port, metrics_port: config.METRICS_PORT }, "telemetry service ready");

// The consumers finish the message in hand (and ack it) before NATS drains and the pool closes.
onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["grpc", () => grpcServer.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2)],
  ["consumer", () => consumer.stop()],
  ["usage consumer", () => usageConsumer.stop()],
  ["nats", () => bus.close()],
  ["metrics", () => new Promise((resolve) => metricsServer.close(resolve))],
  ["database", () => database.close()],
]);
