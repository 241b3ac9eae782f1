import { type Kysely, sql } from "@migrate/db";
import type { Logger } from "@migrate/logger";
import type { LearningDatabase, StoredPatternContext } from "../db/learning-database.ts";
import { type Embedder, toVectorLiteral } from "../embeddings/embedder.ts";

/**
 * Re-embeds, in batches, every pattern whose vector another embedder made (or none did), so a
 * provider change takes effect on old patterns too. Until a row is re-embedded it is left out of
 * nearest-neighbour searches (they compare vectors of one model only) but still matches exactly.
 * Replicas share the work (`for no key update skip locked`). Stops when the embedder answers with another
 * model (a provider outage: the fallback's vectors would be stale at once) or when `signal` aborts.
 */
export async function reembedPatterns(options: {
  db: Kysely<LearningDatabase>;
  embedder: Embedder;
  batchSize: number;
  logger: Logger;
  signal: AbortSignal;
}): Promise<number> {
  const { db, embedder, logger } = options;
  let total = 0;
  while (!options.signal.aborted) {
    const done = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; source_text: string; context: StoredPatternContext }>`
        select id, source_text, context from learned_patterns
        where embedding_model is distinct from ${embedder.model} or embedding is null
        limit ${options.batchSize}
        for no key update skip locked`.execute(trx);
      if (rows.length === 0) return 0;
      const batch = await embedder.embed(
        rows.map((row) => ({ text: row.source_text, format: row.context.format, valueShape: row.context.value_shape })),
      );
      if (batch.model !== embedder.model) return -1;
      await sql`
        update learned_patterns as p set embedding = u.embedding::vector, embedding_model = ${batch.model}
        from unnest(${rows.map((row) => row.id)}::uuid[], ${batch.vectors.map(toVectorLiteral)}::text[]) as u(id, embedding)
        where p.id = u.id`.execute(trx);
      return rows.length;
    });
    if (done === 0) break;
    if (done < 0) {
      logger.warn({ model: embedder.model, reembedded: total }, "re-embedding paused: the embedder is falling back");
      break;
    }
    total += done;
  }
  if (total > 0) logger.info({ model: embedder.model, reembedded: total }, "patterns re-embedded");
  return total;
}
