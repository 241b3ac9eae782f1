import { loadConfig } from "@migrate/config";
import { createDb, migrateToLatest, sql } from "@migrate/db";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { addService, createMeshCredentials, startGrpcServer } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, registerPoolMetrics, startMetricsServer } from "@migrate/metrics";
import { learningConfigSchema } from "./config.ts";
import type { LearningDatabase } from "./db/learning-database.ts";
import { learningMigrations } from "./db/migrations/index.ts";
import { createEmbedder } from "./embeddings/create-embedder.ts";
import { reembedPatterns } from "./maintenance/reembed-patterns.ts";
import { createCorrectionWriter } from "./patterns/correction-writer.ts";
import { usageRecorder } from "./patterns/usage-recorder.ts";
import { vectorSearchSettings } from "./patterns/vector-search.ts";
import { createLearningMetrics } from "./server/learning-metrics.ts";
import { learningServiceImpl } from "./server/learning-service-impl.ts";

const config = loadConfig(learningConfigSchema);
const logger = createLogger({ service: "learning", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });

const database = createDb<LearningDatabase>({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: `learning-${config.SERVICE_INSTANCE}`,
  onConnectionError: (error) => logger.warn({ err: error }, "database connection lost"),
  poolMax: config.DATABASE_POOL_MAX,
  settings: vectorSearchSettings(config.LEARNING_HNSW_EF_SEARCH),
});
// The Helm chart migrates in a hook Job (./migrate.ts) before the pods start, and sets false.
if (config.MIGRATE_ON_START) {
  const applied = await migrateToLatest(database.db, database.schema, learningMigrations);
  logger.info({ schema: database.schema, applied }, "migrations applied");
}

const registry = createMetricsRegistry("learning");
const metrics = createLearningMetrics(registry, database.db);
registerPoolMetrics(registry, database.pool);
const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.BIND_HOST, registry });

const embedder = createEmbedder(config, logger, () => metrics.embeddingFallbacks.inc());
const usage = usageRecorder(database.db, logger, config.LEARNING_USAGE_FLUSH_MS);
const corrections = createCorrectionWriter(database.db, embedder, {
  lanes: config.LEARNING_WRITE_LANES,
  maxGroupCorrections: config.LEARNING_WRITE_GROUP_MAX,
});

const credentials = createMeshCredentials({ secret: config.MESH_SECRET, issuer: "learning" });
const grpcServer = await startGrpcServer({
  host: config.BIND_HOST,
  port: config.GRPC_PORT,
  maxConnectionAge: { ms: config.GRPC_MAX_CONNECTION_AGE_MS, graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS },
  serviceNames: [LearningService.typeName],
  probes: { database: () => sql`select 1`.execute(database.db) },
  logger,
  register: (server) =>
    addService(
      server,
      LearningService,
      learningServiceImpl({
        db: database.db,
        embedder,
        usage,
        searchParallelism: config.LEARNING_SEARCH_PARALLELISM,
        corrections,
      }),
      logger,
      { credentials, registry },
    ),
});
logger.info(
  { grpc_port: grpcServer.port, metrics_port: config.METRICS_PORT, embedding_model: embedder.model },
  "learning service ready",
);

// In the background: the service answers meanwhile (stale rows still match exactly).
const reembedding = new AbortController();
const reembedded = reembedPatterns({
  db: database.db,
  embedder,
  batchSize: config.LEARNING_REEMBED_BATCH,
  logger,
  signal: reembedding.signal,
}).catch((error) => logger.error({ err: error }, "re-embedding patterns failed"));

onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["grpc", () => grpcServer.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2)],
  [
    "re-embedding",
    async () => {
      reembedding.abort();
      await reembedded;
    },
  ],
  ["usage", () => usage.stop()],
  ["metrics", () => new Promise((resolve) => metricsServer.close(resolve))],
  ["database", () => database.close()],
]);
