import { baseServiceSchema, z } from "@migrate/config";

/** The gateway's settings (README's environment table); read once in main.ts. */
export const gatewayConfigSchema = baseServiceSchema
  .extend({
    NODE_ENV: z.string().default("development"),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
    REDIS_KEY_PREFIX: z.string().default("mm:"),
    FLOW_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50051"),
    AGENT_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50052"),
    LEARNING_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50053"),
    TELEMETRY_GRPC_TARGET: z.string().default("dns:///127.0.0.1:50054"),
    JWT_SECRET: z.string().min(16).optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    // The built web console served at / (default: services/gateway/console/dist).
    CONSOLE_DIR: z.string().min(1).optional(),
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(52_428_800),
    NATS_URL: z.string().default("nats://127.0.0.1:4222"),
    FLOW_EVENTS_STREAM: z.string().default("FLOW_EVENTS"),
    FLOW_EVENTS_SUBJECT_PREFIX: z.string().default("migrate.flow.v1"),
    // Requests per tenant per minute; uploads (POST /v1/flows, CreateFlow) have their own, stricter budget.
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
    // Comment lines on idle event streams, so proxies and browsers keep them open.
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
    // How long a live event stream whose JetStream consumer broke (a NATS restart) keeps trying
    // to resume before it ends with an error event; clients then reconnect with Last-Event-ID.
    FLOW_EVENTS_RESUME_MS: z.coerce.number().int().min(0).default(30_000),
    // A client gets this long for its whole header section. Node's own default (60 s, checked
    // only every 30 s) let a client sending a byte a second hold a connection for over a minute;
    // real clients send their headers in one packet.
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(10_000),
    // The ceiling on receiving one whole request, body included: the same 15 minutes as the
    // upload deadline towards the flow service. Responses (event streams, exports) are not bound.
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(900_000),
    // A body must bring at least HTTP_BODY_MIN_BYTES in every HTTP_BODY_TIMEOUT_MS the gateway
    // spends waiting for it (time it holds off reading, e.g. while the flow service is busy,
    // does not count): a trickling body is answered 408, an upload that keeps sending is not.
    HTTP_BODY_TIMEOUT_MS: z.coerce.number().int().min(500).default(10_000),
    HTTP_BODY_MIN_BYTES: z.coerce.number().int().min(1).default(1_024),
    // After SIGTERM: how long the gateway reports not ready yet still answers (with
    // `Connection: close`), so load balancers notice before it stops accepting. Default 5 s
    // (half of SHUTDOWN_TIMEOUT_MS when that is under 10 s).
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).optional(),
  })
  .transform((env) => ({
    ...env,
    SHUTDOWN_DRAIN_MS: env.SHUTDOWN_DRAIN_MS ?? Math.min(5_000, Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2)),
  }))
  .superRefine((env, issues) => {
    // Node refuses to start a server whose header timeout exceeds its request timeout.
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      issues.addIssue({
        code: "custom",
        path: ["HTTP_HEADERS_TIMEOUT_MS"],
        message: `must not exceed HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS})`,
      });
    }
    // The drain and the in-flight requests after it must both fit in the shutdown budget.
    if (env.SHUTDOWN_DRAIN_MS >= env.SHUTDOWN_TIMEOUT_MS) {
      issues.addIssue({
        code: "custom",
        path: ["SHUTDOWN_DRAIN_MS"],
        message: `must be below SHUTDOWN_TIMEOUT_MS (${env.SHUTDOWN_TIMEOUT_MS})`,
      });
    }
    // A well-known development secret in production would let anyone mint tokens.
    if (env.NODE_ENV === "production" && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
      issues.addIssue({
        code: "custom",
        path: ["JWT_SECRET"],
        message: "JWT_SECRET or JWT_JWKS_URL is required when NODE_ENV=production",
      });
    }
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
