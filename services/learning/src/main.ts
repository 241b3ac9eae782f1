import { loadConfig } from "@migrate/config";
import { createDb, migrateToLatest } from "@migrate/db";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { addService, startGrpcServer } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, startMetricsServer } from "@migrate/metrics";
import { learningConfigSchema } from "./config.ts";
import type { LearningDatabase } from "./db/learning-database.ts";
import { learningMigrations } from "./db/migrations/index.ts";
import { learningServiceImpl } from "./server/learning-service-impl.ts";

const config = loadConfig(learningConfigSchema);
const logger = createLogger({ service: "learning", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });

const database = createDb<LearningDatabase>({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  name: "learning",
});
const applied = await migrateToLatest(database.db as never, database.schema, learningMigrations);
logger.info({ schema: database.schema, applied }, "migrations applied");

const registry = createMetricsRegistry("learning");
const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, registry });

const grpcServer = await startGrpcServer({
  port: config.GRPC_PORT,
  serviceNames: [LearningService.typeName],
  register: (server) => addService(server, LearningService, learningServiceImpl(database.db), logger),
});
logger.info({ grpc_port: grpcServer.port, metrics_port: config.METRICS_PORT }, "learning service ready");

onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["grpc", () => grpcServer.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2)],
  ["metrics", () => new Promise((resolve) => metricsServer.close(resolve))],
  ["database", () => database.close()],
]);
