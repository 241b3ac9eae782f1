import type { Kysely } from "@migrate/db";
import { isMeshError } from "@migrate/errors";
import type { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import type { ServiceClient, TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { Counter, type Registry } from "@migrate/metrics";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { FlowRow } from "../flows/flow-row.ts";
import { columnProfiles } from "../phases/column-profiles.ts";
import type { StoredMapping } from "../phases/stored-mappings.ts";
import { addNotice } from "./flow-run.ts";
import { type CorrectionInit, reviewCorrections } from "./review-corrections.ts";

/** A person's correction of one suggested mapping, as approved. */
export interface AppliedCorrection {
  source: string;
  /** What the agent suggested, and how sure it was (null: no target). */
  suggestedTarget: string | null;
  suggestedConfidence: number;
  /** What the person chose (null: keep the column as a custom attribute). */
  correctedTarget: string | null;
}

/** One committed mapping review. */
export interface ReviewToLearn {
  tenant: TenantContext;
  flow: FlowRow;
  /** The mappings as approved. */
  mappings: readonly StoredMapping[];
  applied: readonly AppliedCorrection[];
}

export interface LearningFeedback {
  /** Sends the review to the learning service in the background; never throws, never waits. */
  record(review: ReviewToLearn): void;
  /** Lets sends in progress finish within `graceMs` (no further retries), then cancels them. */
  stop(graceMs: number): Promise<void>;
}

/** Shown on the flow when a review's corrections are lost to learning (the approval itself stands). */
export const FEEDBACK_LOST_NOTICE =
  "corrections could not be sent to the learning service; the next import of this shape will ask again";

type LearningClient = Pick<ServiceClient<typeof LearningService.method>, "batchStorePatterns">;

const BATCH_LIMIT = 1_000;

/**
 * Approved and corrected mappings become the tenant's learned patterns: after the approval has
 * committed, one `BatchStorePatterns` per review (a correction or approval per reviewed column,
 * with the import's format, its headers and each column's sample values). Learning being down
 * never fails or delays an approval: the send runs in the background and is retried on
 * UNAVAILABLE and DEADLINE_EXCEEDED (`attempts` in all, backoff doubling from `firstBackoffMs`);
 * when it finally fails it is logged and the flow gets `FEEDBACK_LOST_NOTICE`. It lives in memory:
 * a flow replica that dies between the approval and the send loses that review's lesson.
 */
export function createLearningFeedback(deps: {
  db: Kysely<FlowDatabase>;
  learning: LearningClient;
  logger: Logger;
  registry?: Registry;
  attempts?: number;
  firstBackoffMs?: number;
  callTimeoutMs?: number;
}): LearningFeedback {
  const attempts = deps.attempts ?? 5;
  const firstBackoffMs = deps.firstBackoffMs ?? 500;
  const callTimeoutMs = deps.callTimeoutMs ?? 5_000;
  const outcomes = deps.registry
    ? new Counter({
        name: "flow_learning_feedback_total",
        help: "Mapping reviews sent to the learning service, by outcome (sent, failed, empty)",
        labelNames: ["outcome"],
        registers: [deps.registry],
      })
    : undefined;
  const stopping = new AbortController();
  const cancelCalls = new AbortController();
  const pending = new Set<Promise<void>>();

  const send = async (review: ReviewToLearn): Promise<void> => {
    const log = deps.logger.child({ flow_id: review.flow.id, client_account_id: review.tenant.clientAccountId });
    let corrections: CorrectionInit[] = [];
    try {
      corrections = await loadCorrections(deps.db, review, log);
      if (corrections.length === 0) {
        outcomes?.inc({ outcome: "empty" });
        return;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          for (let start = 0; start < corrections.length; start += BATCH_LIMIT) {
            await deps.learning.batchStorePatterns(
              { corrections: corrections.slice(start, start + BATCH_LIMIT) },
              { tenant: review.tenant, timeoutMs: callTimeoutMs, signal: cancelCalls.signal },
            );
          }
          outcomes?.inc({ outcome: "sent" });
          log.info({ corrections: corrections.length }, "mapping review sent to the learning service");
          return;
        } catch (error) {
          const transient = isMeshError(error) && (error.code === "UNAVAILABLE" || error.code === "DEADLINE_EXCEEDED");
          if (!transient || attempt >= attempts || stopping.signal.aborted) throw error;
          const backoff = firstBackoffMs * 2 ** (attempt - 1);
          log.debug({ attempt, wait_ms: backoff, code: error.code }, "learning service unavailable; retrying");
          await sleep(backoff / 2 + Math.random() * (backoff / 2), stopping.signal);
        }
      }
    } catch (error) {
      outcomes?.inc({ outcome: "failed" });
      log.warn(
        {
          code: isMeshError(error) ? error.code : "INTERNAL",
          reason: error instanceof Error ? error.message : String(error),
          corrections: corrections.length,
        },
        "mapping review not sent to the learning service",
      );
      await deps.db
        .transaction()
        .execute((trx) => addNotice(trx, review.flow.id, FEEDBACK_LOST_NOTICE))
        .catch((noticeError) => log.warn({ err: noticeError }, "notice about lost corrections not stored"));
    }
  };

  return {
    record(review) {
      if (stopping.signal.aborted) {
        deps.logger.warn({ flow_id: review.flow.id }, "mapping review not sent to the learning service: stopping");
        return;
      }
      const task = send(review).finally(() => pending.delete(task));
      pending.add(task);
    },
    async stop(graceMs) {
      stopping.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...pending]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      cancelCalls.abort();
      await Promise.allSettled([...pending]);
    },
  };
}

/** The review as corrections: the import's format, its headers and each column's sample values. */
async function loadCorrections(db: Kysely<FlowDatabase>, review: ReviewToLearn, log: Logger) {
  const { flow } = review;
  const [row, profiles] = await Promise.all([
    db
      .selectFrom("flows")
      .select("mapping_format")
      .where("id", "=", flow.id)
      .where("client_account_id", "=", review.tenant.clientAccountId)
      .executeTakeFirst(),
    columnProfiles(db, flow.id, flow.columns),
  ]);
  const { corrections, skipped } = reviewCorrections({
    mappings: review.mappings,
    applied: review.applied,
    format: row?.mapping_format || "generic",
    columns: flow.columns,
    samples: new Map(profiles.map((profile) => [profile.source ?? "", profile.samples ?? []])),
  });
  if (skipped) log.debug({ skipped }, "columns without a canonical target are not learned");
  return corrections;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
