import type { Kysely } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import type { Embedder } from "../embeddings/embedder.ts";
import { type CorrectionBatch, type StoreResult, storeCorrectionBatches } from "./store-corrections.ts";

export interface CorrectionWriter {
  /** Stores one caller's corrections, all or none; resolves once they are committed. */
  store(batch: CorrectionBatch): Promise<StoreResult>;
}

export interface CorrectionWriterOptions {
  /** Groups written at once, each on its own connection. */
  lanes: number;
  /** Corrections per group at most (a bigger single batch still goes alone). */
  maxGroupCorrections: number;
}

interface Waiting {
  batch: CorrectionBatch;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for corrections. While every lane is busy, the batches that arrive wait, and the
 * next free lane stores all of them with one insert (one embedding call, one commit): measured
 * at about 5,000 patterns, a correction stored alone cost 3.1 ms of PostgreSQL CPU and 1.1 ms of
 * the service's, stored in groups 1.4-1.7 ms and 0.2-0.3 ms. Without contention a batch is
 * written at once, as before. Each caller still gets its own answer; when a group fails, its
 * batches are retried one by one, so a batch never fails because of another caller's.
 */
export function createCorrectionWriter(
  db: Kysely<LearningDatabase>,
  embedder: Embedder,
  options: CorrectionWriterOptions,
): CorrectionWriter {
  const queue: Waiting[] = [];
  let busy = 0;

  const takeGroup = (): Waiting[] => {
    const group: Waiting[] = [];
    let corrections = 0;
    while (queue.length) {
      const next = queue[0] as Waiting;
      const size = next.batch.corrections.length;
      if (group.length && corrections + size > options.maxGroupCorrections) break;
      group.push(queue.shift() as Waiting);
      corrections += size;
    }
    return group;
  };

  const write = async (group: Waiting[]) => {
    try {
      const results = await storeCorrectionBatches(
        db,
        embedder,
        group.map((waiting) => waiting.batch),
      );
      for (const [index, waiting] of group.entries()) waiting.resolve(results[index] as StoreResult);
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      for (const waiting of group) {
        await storeCorrectionBatches(db, embedder, [waiting.batch]).then(
          ([result]) => waiting.resolve(result as StoreResult),
          waiting.reject,
        );
      }
    }
  };

  const pump = () => {
    while (busy < options.lanes && queue.length) {
      const group = takeGroup();
      busy++;
      void write(group).finally(() => {
        busy--;
        pump();
      });
    }
  };

  return {
    store(batch) {
      return new Promise<StoreResult>((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        pump();
      });
    },
  };
}
