import { loadConfig } from "@migrate/config";
import { createDb, migrateToLatest, sql } from "@migrate/db";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { addService, createClient, createMeshCredentials, startGrpcServer } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, registerPoolMetrics, startMetricsServer } from "@migrate/metrics";
import { agentConfigSchema } from "./config.ts";
import type { AgentDatabase } from "./db/agent-database.ts";
import { agentMigrations } from "./db/migrations/index.ts";
import { startLlmRefinement } from "./providers/start-llm-refinement.ts";
import { createAgentMetrics } from "./server/agent-metrics.ts";
import { agentServiceImpl } from "./server/agent-service-impl.ts";
import { createLearnedHintsFetcher } from "./server/fetch-learned-hints.ts";

const config = loadConfig(agentConfigSchema);
const logger = createLogger({ service: "agent", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });

const database = createDb<AgentDatabase>({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: `agent-${config.SERVICE_INSTANCE}`,
  onConnectionError: (error) => logger.warn({ err: error }, "database connection lost"),
});
// The Helm chart migrates in a hook Job (./migrate.ts) before the pods start, and sets false.
if (config.MIGRATE_ON_START) {
  const applied = await migrateToLatest(database.db, database.schema, agentMigrations);
  logger.info({ schema: database.schema, applied }, "migrations applied");
}

const registry = createMetricsRegistry("agent");
const metrics = createAgentMetrics(registry, { tenantLabels: config.METRICS_TENANT_LABELS });
registerPoolMetrics(registry, database.pool);
const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.BIND_HOST, registry });
const credentials = createMeshCredentials({ secret: config.MESH_SECRET, issuer: "agent" });

// Heuristic (the default): no NATS, no telemetry, no network. Otherwise usage events and budgets.
const llm = await startLlmRefinement({ config, registry, logger, credentials });

// MapFields asks the tenant's learned patterns; learning being down only costs the hints.
// No retries: their backoff would tax every MapFields while learning is down, for hints only.
const learning = createClient(LearningService, config.LEARNING_GRPC_TARGET, {
  defaultTimeoutMs: config.LEARNING_TIMEOUT_MS,
  maxAttempts: 1,
  credentials,
});
const learnedHints = createLearnedHintsFetcher({
  learning: learning.client,
  logger,
  registry,
  timeoutMs: config.LEARNING_TIMEOUT_MS,
});

const grpcServer = await startGrpcServer({
  host: config.BIND_HOST,
  port: config.GRPC_PORT,
  maxConnectionAge: { ms: config.GRPC_MAX_CONNECTION_AGE_MS, graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS },
  serviceNames: [AgentService.typeName],
  probes: { database: () => sql`select 1`.execute(database.db) },
  logger,
  register: (server) =>
    addService(
      server,
      AgentService,
      agentServiceImpl({
        db: database.db,
        refiner: llm.refiner,
        metrics,
        learnedHints,
        batchBudgetMs: config.AGENT_BATCH_BUDGET_MS,
      }),
      logger,
      { credentials, registry },
    ),
});
logger.info(
  { grpc_port: grpcServer.port, metrics_port: config.METRICS_PORT, llm_provider: llm.provider },
  "agent service ready",
);

onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["grpc", () => grpcServer.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2)],
  ["llm", () => llm.stop(config.SHUTDOWN_TIMEOUT_MS / 4)],
  ["learning client", async () => learning.close()],
  ["metrics", () => new Promise((resolve) => metricsServer.close(resolve))],
  ["database", () => database.close()],
]);
