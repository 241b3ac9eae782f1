import { type Kysely, sql } from "@migrate/db";
import type { Logger } from "@migrate/logger";
import type { LearningDatabase } from "../db/learning-database.ts";

export interface UsageRecorder {
  /** Notes that these patterns backed a recommendation; written later, off the request path. */
  record(patternIds: Iterable<string>): void;
  /** Writes what is pending now (also on shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * times_used / last_used_at of recommended patterns, counted in memory and written every
 * `intervalMs` in one statement to the narrow `learned_pattern_usage` table. Writing inside
 * GetRecommendations would add a write (and row locks on hot patterns) to every lookup; writing
 * to the pattern rows would re-insert each into the HNSW index. A crash loses one interval of counts.
 */
export function usageRecorder(db: Kysely<LearningDatabase>, logger: Logger, intervalMs: number): UsageRecorder {
  let pending = new Map<string, number>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        // Ids come from tenant-scoped answers; a pattern deleted meanwhile is skipped by the join.
        await sql`
          insert into learned_pattern_usage as u (pattern_id, times_used, last_used_at)
          select b.id, b.n, now()
          from unnest(${[...batch.keys()]}::uuid[], ${[...batch.values()]}::int[]) as b(id, n)
          where exists (select from learned_patterns p where p.id = b.id)
          on conflict (pattern_id) do update set
            times_used = u.times_used + excluded.times_used, last_used_at = excluded.last_used_at`.execute(db);
      } catch (error) {
        // Usage counts are informative; losing one interval must not disturb requests.
        logger.warn({ err: error, patterns: batch.size }, "could not record pattern usage");
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    record(patternIds) {
      for (const id of patternIds) pending.set(id, (pending.get(id) ?? 0) + 1);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
