import { baseServiceSchema, z } from "@migrate/config";

/** The learning service's environment (README's table and docs/learning.md). */
export const learningConfigSchema = baseServiceSchema.extend({
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50053),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
  DATABASE_SCHEMA: z.string().min(1).default("learning"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** builtin: hashed n-grams, no network. openai: any OpenAI-compatible `/embeddings` endpoint. */
  EMBEDDINGS_PROVIDER: z.enum(["builtin", "openai"]).default("builtin"),
  EMBEDDINGS_BASE_URL: z.url().default("https://api.openai.com/v1"),
  /** Sent as a bearer token when set (local OpenAI-compatible servers often need none). */
  EMBEDDINGS_API_KEY: z.string().default(""),
  EMBEDDINGS_MODEL: z.string().min(1).default("text-embedding-3-small"),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** After a provider failure the built-in embedder answers alone this long before the provider is tried again. */
  EMBEDDINGS_RETRY_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  /** HNSW candidate list per kNN query (pgvector's hnsw.ef_search), with iterative scans on. */
  LEARNING_HNSW_EF_SEARCH: z.coerce.number().int().min(10).max(1_000).default(100),
  /** Connections one GetRecommendations call may search on at once (headers split between them). */
  LEARNING_SEARCH_PARALLELISM: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * Correction writes in flight at once, each on its own connection; corrections arriving while
   * all are busy are grouped into the next write (one statement, one commit).
   */
  LEARNING_WRITE_LANES: z.coerce.number().int().min(1).max(16).default(2),
  /** Corrections per grouped write at most (one call's batch of up to 1,000 always goes whole). */
  LEARNING_WRITE_GROUP_MAX: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Rows re-embedded per transaction at start when the embedder changed. */
  LEARNING_REEMBED_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  /** How often the times_used / last_used_at counters of recommended patterns are written. */
  LEARNING_USAGE_FLUSH_MS: z.coerce.number().int().positive().default(1_000),
});
export type LearningConfig = z.infer<typeof learningConfigSchema>;
