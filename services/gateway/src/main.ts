import { createRedis } from "@migrate/cache";
import { DEV_JWT_SECRET, loadConfig } from "@migrate/config";
import { connectEvents, flowEventNames } from "@migrate/events";
import { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { createClient, createMeshCredentials } from "@migrate/grpc";
import { onShutdown } from "@migrate/lifecycle";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, startMetricsServer } from "@migrate/metrics";
import { createTokenVerifier } from "./auth/verify-token.ts";
import { gatewayConfigSchema } from "./config.ts";
import { createConnectHandler } from "./connect/create-connect-handler.ts";
import { createFlowEventFeed } from "./flows/flow-event-feed.ts";
import { createFlowOperations } from "./flows/flow-operations.ts";
import { createIdempotencyStore } from "./flows/idempotency-store.ts";
import { createGatewayServer } from "./http/create-gateway-server.ts";
import { createHttpMetrics } from "./http/http-metrics.ts";
import { createReadinessCheck } from "./http/readiness.ts";
import { createConsoleHandler } from "./http/serve-console.ts";
import { createRateLimiter } from "./rate-limit/rate-limiter.ts";
import { createAuthenticate } from "./rest/authenticate.ts";
import { devTokenRoute, usesDevelopmentSecret } from "./rest/dev-token-route.ts";
import { eventStreamRoute } from "./rest/event-stream-route.ts";
import { flowRoutes } from "./rest/flow-routes.ts";
import { healthRoutes } from "./rest/health-routes.ts";
import { learningRoutes } from "./rest/learning-routes.ts";
import { lifecycleRoutes } from "./rest/lifecycle-routes.ts";
import { resultRoutes } from "./rest/result-routes.ts";
import { usageRoutes } from "./rest/usage-routes.ts";

const config = loadConfig(gatewayConfigSchema);
const logger = createLogger({ service: "gateway", level: config.LOG_LEVEL, instance: config.SERVICE_INSTANCE });
if (!config.JWT_SECRET && !config.JWT_JWKS_URL) {
  logger.warn({}, "JWT_SECRET not set: accepting tokens signed with the development secret");
}

const registry = createMetricsRegistry("gateway");
// The gateway signs, for each downstream call, the tenant and roles it verified from the user's token.
const credentials = createMeshCredentials({ secret: config.MESH_SECRET, issuer: "gateway" });
const flow = createClient(FlowService, config.FLOW_GRPC_TARGET, { credentials });
const agent = createClient(AgentService, config.AGENT_GRPC_TARGET, { credentials });
const learning = createClient(LearningService, config.LEARNING_GRPC_TARGET, { credentials });
const telemetry = createClient(TelemetryService, config.TELEMETRY_GRPC_TARGET, { credentials });
// Named per instance, as the NATS connection is, so CLIENT LIST tells the replicas apart (no spaces allowed).
const redis = createRedis(config.REDIS_URL, { name: `gateway-${config.SERVICE_INSTANCE}`.replace(/\s/g, "_") });
redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
const bus = await connectEvents({ servers: config.NATS_URL, name: `gateway-${config.SERVICE_INSTANCE}` });
const names = flowEventNames({ stream: config.FLOW_EVENTS_STREAM, subjectPrefix: config.FLOW_EVENTS_SUBJECT_PREFIX });

const verifier = createTokenVerifier({
  secret: config.JWT_SECRET ?? DEV_JWT_SECRET,
  jwksUrl: config.JWT_JWKS_URL,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});
const operations = createFlowOperations({
  flow: flow.client,
  idempotency: createIdempotencyStore(redis, { keyPrefix: config.REDIS_KEY_PREFIX }),
  logger,
});
const limiter = createRateLimiter(
  redis,
  {
    keyPrefix: config.REDIS_KEY_PREFIX,
    perMinute: config.RATE_LIMIT_PER_MINUTE,
    uploadsPerMinute: config.RATE_LIMIT_UPLOADS_PER_MINUTE,
  },
  { logger, registry },
);
const authenticate = createAuthenticate({ verifier, limiter });
const feed = createFlowEventFeed({
  bus,
  names,
  operations,
  logger,
  registry,
  resumeWindowMs: config.FLOW_EVENTS_RESUME_MS,
});
const readiness = createReadinessCheck({
  targets: {
    flow: config.FLOW_GRPC_TARGET,
    agent: config.AGENT_GRPC_TARGET,
    learning: config.LEARNING_GRPC_TARGET,
    telemetry: config.TELEMETRY_GRPC_TARGET,
  },
  redis,
  isDraining: () => gateway.draining(),
});
const gateway = createGatewayServer({
  routes: [
    ...healthRoutes(readiness),
    ...flowRoutes({ operations, authenticate, maxUploadBytes: config.MAX_UPLOAD_BYTES }),
    ...lifecycleRoutes({ flow: flow.client, authenticate }),
    ...resultRoutes({ flow: flow.client, authenticate }),
    ...usageRoutes({ telemetry: telemetry.client, authenticate }),
    ...learningRoutes({ learning: learning.client, authenticate }),
    eventStreamRoute({ feed, authenticate, heartbeatMs: config.SSE_HEARTBEAT_MS }),
    // The console's development sign-in: absent (404) unless tokens are checked with the development secret.
    ...(usesDevelopmentSecret(config)
      ? [devTokenRoute({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE })]
      : []),
  ],
  console: createConsoleHandler({ dir: config.CONSOLE_DIR }),
  connect: createConnectHandler({
    operations,
    flow: flow.client,
    telemetry: telemetry.client,
    learning: learning.client,
    feed,
    verifier,
    limiter,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    logger,
  }),
  metrics: createHttpMetrics(registry),
  logger,
  limits: {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    bodyTimeoutMs: config.HTTP_BODY_TIMEOUT_MS,
    bodyMinBytes: config.HTTP_BODY_MIN_BYTES,
  },
});
// Request handlers catch their own errors (see createGatewayServer); should anything still
// escape, the process dies as Node decides, but its last line is a structured log with the stack.
process.on("uncaughtExceptionMonitor", (error, origin) => logger.fatal({ err: error, origin }, "uncaught exception"));

const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.BIND_HOST, registry });
await new Promise<void>((resolve, reject) => {
  gateway.server.once("error", reject);
  // A deep accept queue: 2,000 watchers reconnecting at once overflowed Node's default of 511,
  // and each dropped SYN costs its client seconds of retransmission backoff (or a reset).
  gateway.server.listen({ port: config.HTTP_PORT, host: "0.0.0.0", backlog: 4096 }, () => resolve());
});
const address = gateway.server.address();
logger.info(
  { port: typeof address === "object" ? address?.port : address, metrics_port: config.METRICS_PORT },
  "gateway listening",
);

// First the drain: not ready, still answering (with `Connection: close`) so load balancers move
// away without a reset; then stop accepting and let requests in flight finish in what is left
// of the budget, less a second for closing clients, so a slow drain still exits 0.
const graceMs = Math.max(config.SHUTDOWN_TIMEOUT_MS - config.SHUTDOWN_DRAIN_MS - 1_000, 500);
onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
  ["drain", () => gateway.drain(config.SHUTDOWN_DRAIN_MS)],
  // Open event streams end once the drain is over (clients resume with Last-Event-ID); else they would hold the close.
  ["http server", () => Promise.all([gateway.close(graceMs), feed.closeAll()])],
  [
    "metrics server",
    () =>
      new Promise<void>((resolve) => {
        metricsServer.close(() => resolve());
        metricsServer.closeAllConnections();
      }),
  ],
  [
    "grpc clients",
    async () => {
      for (const handle of [flow, agent, learning, telemetry]) handle.close();
    },
  ],
  ["redis", () => redis.quit()],
  ["nats", () => bus.close()],
]);
