import { connectNodeAdapter } from "@connectrpc/connect-node";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { LearningService } from "@migrate/gen/gateway/v1/learning_pb";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import type { Logger } from "@migrate/logger";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { FlowEventFeed } from "../flows/flow-event-feed.ts";
import type { FlowClient, FlowOperations } from "../flows/flow-operations.ts";
import type { LearningClient } from "../learning/learning-requests.ts";
import type { RateLimiter } from "../rate-limit/rate-limiter.ts";
import { tracingInterceptor } from "../tracing/tracing-interceptor.ts";
import type { TelemetryClient } from "../usage/budget-view.ts";
import { flowsService } from "./flows-service.ts";
import { authInterceptor, errorInterceptor, rateLimitInterceptor } from "./interceptors.ts";
import { learningService } from "./learning-service.ts";
import { usageService } from "./usage-service.ts";

/** Paths under this prefix go to the Connect handler (Connect, gRPC-Web and gRPC protocols). */
export const CONNECT_PATH_PREFIX = "/migrate.gateway.v1.";

/** The Connect API's request handler, for the same `node:http` server as REST. */
export function createConnectHandler(deps: {
  operations: FlowOperations;
  flow: FlowClient;
  telemetry: TelemetryClient;
  learning: LearningClient;
  feed: FlowEventFeed;
  verifier: TokenVerifier;
  limiter: RateLimiter;
  maxUploadBytes: number;
  logger: Logger;
}) {
  return connectNodeAdapter({
    routes: (router) => {
      router.service(FlowsService, flowsService(deps));
      router.service(UsageService, usageService(deps));
      router.service(LearningService, learningService(deps));
    },
    interceptors: [
      tracingInterceptor(),
      errorInterceptor(deps.logger),
      authInterceptor(deps.verifier),
      rateLimitInterceptor(deps.limiter),
    ],
    // Room for the envelope around the largest accepted content, so the handler can name the limit itself.
    readMaxBytes: deps.maxUploadBytes + 1024 * 1024,
  });
}
