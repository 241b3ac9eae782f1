import { baseServiceSchema, z } from "@migrate/config";
import { DEFAULT_BATCH_BUDGET_MS } from "./agents/batch-budget.ts";

const flag = z
  .enum(["true", "false"])
  .default("false")
  .transform((value) => value === "true");
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * The agent service's environment (README's table; the LLM_* settings in docs/llm.md). Without
 * LLM_PROVIDER the agents stay purely deterministic and the service needs neither NATS nor
 * telemetry.
 */
export const agentConfigSchema = baseServiceSchema
  .extend({
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50052),
    DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
    DATABASE_SCHEMA: z.string().min(1).default("agent"),
    NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
    LEARNING_GRPC_TARGET: z.string().min(1).default("dns:///127.0.0.1:50053"),
    /** Deadline of MapFields' GetRecommendations call; past it the mapping goes on without learned hints. */
    LEARNING_TIMEOUT_MS: positiveInt(1_500),
    /**
     * Time one batch call (ValidateRecords, CleanseRecords, RecommendStrategies...) may spend on its
     * records; past it the call fails for good instead of holding the agent (LLM waits not counted).
     */
    AGENT_BATCH_BUDGET_MS: positiveInt(DEFAULT_BATCH_BUDGET_MS),
    TELEMETRY_GRPC_TARGET: z.string().min(1).default("dns:///127.0.0.1:50054"),
    USAGE_EVENTS_STREAM: z.string().min(1).default("LLM_USAGE"),
    USAGE_EVENTS_SUBJECT_PREFIX: z.string().min(1).default("migrate.usage.v1"),
    METRICS_TENANT_LABELS: flag,

    LLM_PROVIDER: z.enum(["heuristic", "openai", "anthropic"]).default("heuristic"),
    /** OpenAI-compatible endpoints (OpenAI, DeepInfra, Ollama, vLLM) or an Anthropic proxy. */
    LLM_BASE_URL: z.url().optional(),
    LLM_API_KEY: z.string().optional(),
    LLM_MODEL: z.string().min(1).optional(),
    LLM_MODEL_FIELD_MAPPING: z.string().min(1).optional(),
    LLM_MODEL_CLASSIFICATION: z.string().min(1).optional(),
    LLM_MODEL_STRATEGY: z.string().min(1).optional(),
    /** The agents that ask the provider; the others stay heuristic. */
    LLM_AGENTS: z.string().default("field_mapping,classification,strategy"),
    /** The provider name usage is recorded and priced under; default from the provider and base URL. */
    LLM_PROVIDER_LABEL: z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/, "lower-case letters, digits, _ and - only")
      .optional(),
    /** json_schema (strict structured outputs) or json_object for endpoints without schema support. */
    LLM_JSON_MODE: z.enum(["json_schema", "json_object"]).default("json_schema"),
    LLM_TIMEOUT_MS: positiveInt(15_000),
    LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    LLM_RETRY_BASE_MS: positiveInt(250),
    /** A Retry-After longer than this is not waited for: the heuristic answer is used instead. */
    LLM_MAX_RETRY_DELAY_MS: positiveInt(10_000),
    LLM_MAX_CONCURRENCY: positiveInt(4),
    LLM_CIRCUIT_FAILURE_THRESHOLD: positiveInt(5),
    LLM_CIRCUIT_COOLDOWN_MS: positiveInt(30_000),
    LLM_BUDGET_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
    LLM_MAX_OUTPUT_TOKENS: positiveInt(2_048),
    /** Mappings and strategies below this confidence are sent for refinement. */
    LLM_REFINE_BELOW_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.8),
    LLM_USAGE_QUEUE_MAX: positiveInt(10_000),
  })
  .superRefine((config, issues) => {
    if (config.LLM_PROVIDER === "heuristic") return;
    for (const key of ["LLM_API_KEY", "LLM_MODEL"] as const) {
      if (!config[key]) {
        issues.addIssue({ code: "custom", path: [key], message: `required when LLM_PROVIDER=${config.LLM_PROVIDER}` });
      }
    }
  });
export type AgentConfig = z.infer<typeof agentConfigSchema>;
