import { type Kysely, sql } from "@migrate/db";
import { Counter, Gauge, type Registry } from "@migrate/metrics";
import type { LearningDatabase } from "../db/learning-database.ts";
import { PATTERN_TYPES } from "../patterns/pattern-types.ts";

export interface LearningMetrics {
  embeddingFallbacks: Counter;
}

/**
 * The learning service's own series: embedding fallbacks, and the pattern count read when
 * Prometheus scrapes. Request durations are the mesh-wide `rpc_server_duration_seconds`.
 */
export function createLearningMetrics(registry: Registry, db: Kysely<LearningDatabase>): LearningMetrics {
  const embeddingFallbacks = new Counter({
    name: "learning_embedding_fallbacks_total",
    help: "Embedding batches the built-in embedder answered because the configured provider failed or was resting",
    registers: [registry],
  });
  new Gauge({
    name: "learning_patterns_count",
    help: "Learned patterns stored, by pattern type (all tenants)",
    labelNames: ["pattern_type"],
    registers: [registry],
    async collect() {
      try {
        // One scan of a narrow index per scrape (milliseconds at 100,000 patterns).
        const { rows } = await sql<{ pattern_type: string; count: number }>`
          select pattern_type, count(*)::int as count from learned_patterns group by pattern_type`.execute(db);
        const counts = new Map(rows.map((row) => [row.pattern_type, row.count]));
        for (const type of PATTERN_TYPES) this.set({ pattern_type: type }, counts.get(type) ?? 0);
      } catch {
        // Keep the previous values: the scrape must succeed while the database is away.
      }
    },
  });
  return { embeddingFallbacks };
}
