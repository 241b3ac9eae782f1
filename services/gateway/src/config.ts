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
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(52_428_800),
    NATS_URL: z.string().default("nats://127.0.0.1:4222"),
    FLOW_EVENTS_STREAM: z.string().default("FLOW_EVENTS"),
    FLOW_EVENTS_SUBJECT_PREFIX: z.string().default("migrate.flow.v1"),
    // Requests per tenant per minute; uploads (POST /v1/flows, CreateFlow) have their own, stricter budget.
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
    // Comment lines on idle event streams, so proxies and browsers keep them open.
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  })
  .superRefine((env, issues) => {
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
