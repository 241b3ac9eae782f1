import { randomBytes } from "node:crypto";
import { baseServiceSchema, loadConfig, z } from "@migrate/config";
import { createDb, migrateToLatest, sql } from "@migrate/db";
import { connectEvents, ensureStream, flowEventNames } from "@migrate/events";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { addService, createClient, createMeshCredentials, startGrpcServer } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, registerPoolMetrics, startMetricsServer } from "@migrate/metrics";
import type { FlowDatabase } from "./db/flow-database.ts";
import { flowMigrations } from "./db/migrations/index.ts";
import { startFlowEngine } from "./engine/flow-engine.ts";
import { createLearningFeedback } from "./engine/learning-feedback.ts";
import { startOutboxRelay } from "./events/outbox-relay.ts";
import { createFlowMetrics } from "./flow-metrics.ts";
import { DEFAULT_UPLOAD_LIMITS } from "./ingest/upload-limits.ts";
import { createFlowHandlers } from "./server/flow-handlers.ts";

const config = loadConfig(
  baseServiceSchema.extend({
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
    DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/postgres"),
    DATABASE_SCHEMA: z.string().default("flow"),
    NATS_URL: z.string().default("nats://127.0.0.1:4222"),
    FLOW_EVENTS_STREAM: z.string().default("FLOW_EVENTS"),
    FLOW_EVENTS_SUBJECT_PREFIX: z.string().default("migrate.flow.v1"),
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(52_428_800),
    // At most 5,000: a flow's field mappings are inserted in one statement binding 10 values per
    // column, under PostgreSQL's 65,535 bind parameters.
    MAX_COLUMNS: z.coerce.number().int().min(1).max(5_000).default(DEFAULT_UPLOAD_LIMITS.maxColumns),
    MAX_CELL_BYTES: z.coerce.number().int().positive().default(DEFAULT_UPLOAD_LIMITS.maxCellBytes),
    MAX_ROW_BYTES: z.coerce.number().int().positive().default(DEFAULT_UPLOAD_LIMITS.maxRowBytes),
    AGENT_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50052"),
    LEARNING_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50053"),
    MAPPING_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
    FLOW_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
    FLOW_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(4),
    // 0: this replica serves the API only and never works flows.
    FLOW_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
    FLOW_LEASE_MS: z.coerce.number().int().min(1_000).default(10_000),
    ENGINE_POLL_MS: z.coerce.number().int().min(10).default(500),
    // Covers an agent batch refined by an LLM: (LLM_MAX_RETRIES + 1) × LLM_TIMEOUT_MS plus backoff.
    AGENT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    AGENT_CALL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  }),
);
const logger = createLogger({ service: "flow", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });

const database = createDb<FlowDatabase>({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: `flow-${config.SERVICE_INSTANCE}`,
  onConnectionError: (error) => logger.warn({ err: error }, "database connection lost"),
});
if (config.MIGRATE_ON_START) await migrateToLatest(database.db, database.schema, flowMigrations);

const bus = await connectEvents({ servers: config.NATS_URL, name: `flow-${config.SERVICE_INSTANCE}` });
const names = flowEventNames({ stream: config.FLOW_EVENTS_STREAM, subjectPrefix: config.FLOW_EVENTS_SUBJECT_PREFIX });
await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });

const registry = createMetricsRegistry("flow");
const metrics = createFlowMetrics(registry);
registerPoolMetrics(registry, database.pool);
const relay = startOutboxRelay({ db: database.db, js: bus.js, logger, metrics, stream: names.stream });

const credentials = createMeshCredentials({ secret: config.MESH_SECRET, issuer: "flow" });
// The engine retries agent calls itself (with backoff long enough to ride out an agent restart).
const agent = createClient(AgentService, config.AGENT_GRPC_TARGET, {
  defaultTimeoutMs: config.AGENT_TIMEOUT_MS,
  maxAttempts: 1,
  credentials,
});
// Approved reviews become learned patterns; the feedback retries on its own, in the background.
const learning = createClient(LearningService, config.LEARNING_GRPC_TARGET, { maxAttempts: 1, credentials });
const learningFeedback = createLearningFeedback({ db: database.db, learning: learning.client, logger, registry });
const engine = startFlowEngine({
  db: database.db,
  names,
  agent: agent.client,
  metrics,
  logger,
  onEventQueued: relay.notify,
  settings: {
    // Unique per process: a restarted process must not pass for the one whose leases it finds.
    instanceId: `${config.SERVICE_INSTANCE}-${randomBytes(4).toString("hex")}`,
    concurrency: config.FLOW_CONCURRENCY,
    leaseMs: config.FLOW_LEASE_MS,
    pollMs: config.ENGINE_POLL_MS,
    batchSize: config.FLOW_BATCH_SIZE,
    batchesInFlight: config.FLOW_BATCHES_IN_FLIGHT,
    confidenceThreshold: config.MAPPING_CONFIDENCE_THRESHOLD,
    agentTimeoutMs: config.AGENT_TIMEOUT_MS,
    agentAttempts: config.AGENT_CALL_ATTEMPTS,
  },
});

const grpc = await startGrpcServer({
  host: config.BIND_HOST,
  port: config.GRPC_PORT,
  maxConnectionAge: { ms: config.GRPC_MAX_CONNECTION_AGE_MS, graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS },
  serviceNames: [FlowService.typeName],
  // Readiness: the agent is left out on purpose; the engine rides out its restarts with retries.
  probes: { database: () => sql`select 1`.execute(database.db), nats: () => bus.nc.rtt() },
  logger,
  register: (server) =>
    addService(
      server,
      FlowService,
      createFlowHandlers({
        db: database.db,
        names,
        maxUploadBytes: config.MAX_UPLOAD_BYTES,
        uploadLimits: {
          maxColumns: config.MAX_COLUMNS,
          maxCellBytes: config.MAX_CELL_BYTES,
          maxRowBytes: config.MAX_ROW_BYTES,
        },
        metrics,
        onEventQueued: relay.notify,
        onFlowRunnable: engine.notify,
        confidenceThreshold: config.MAPPING_CONFIDENCE_THRESHOLD,
        learningFeedback,
      }),
      logger,
      { credentials, registry },
    ),
});
const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.BIND_HOST, registry });

// In-flight calls get most of the budget; the rest is for the relay, NATS and the pool.
const drainMs = Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 3_000);
onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["grpc", () => grpc.shutdown(drainMs)],
  // Before the relay and the pool: the batches in hand commit, their events queue, leases are released.
  ["flow engine", () => engine.stop()],
  ["outbox relay", () => relay.stop()],
  ["learning feedback", () => learningFeedback.stop(2_000)],
  ["metrics", () => new Promise((resolve) => metricsServer.close(resolve).closeAllConnections())],
  ["nats", () => bus.close()],
  ["agent client", async () => agent.close()],
  ["learning client", async () => learning.close()],
  ["database", () => database.close()],
]);
logger.info(
  { grpc_port: grpc.port, metrics_port: config.METRICS_PORT, schema: config.DATABASE_SCHEMA },
  "flow service started",
);
