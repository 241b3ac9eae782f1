import { baseServiceSchema, z } from "@migrate/config";

/** The telemetry service's environment (README's table). */
export const telemetryConfigSchema = baseServiceSchema.extend({
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50054),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
  DATABASE_SCHEMA: z.string().min(1).default("telemetry"),
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
  FLOW_EVENTS_STREAM: z.string().min(1).default("FLOW_EVENTS"),
  FLOW_EVENTS_SUBJECT_PREFIX: z.string().min(1).default("migrate.flow.v1"),
  TELEMETRY_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .default("telemetry"),
  USAGE_EVENTS_STREAM: z.string().min(1).default("LLM_USAGE"),
  USAGE_EVENTS_SUBJECT_PREFIX: z.string().min(1).default("migrate.usage.v1"),
  /** Adds a client_account_id label to llm_cost_dollars_total; off by default (unbounded series). */
  METRICS_TENANT_LABELS: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  // How long JetStream waits for an ack before redelivering (e.g. after a crash); tests shorten it.
  TELEMETRY_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(30_000),
});
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;
