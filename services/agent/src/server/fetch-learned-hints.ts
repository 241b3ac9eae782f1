import { normalizeHeader } from "@migrate/domain";
import { isMeshError } from "@migrate/errors";
import type { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import type { CallContext, ServiceClient } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { Counter, type Registry } from "@migrate/metrics";
import type { ColumnProfile, LearnedHint } from "../agents/field-mapping.ts";
import { detectFormat } from "../agents/format-presets.ts";

/** The tenant's learned field-mapping patterns for the columns of one import. */
export type FetchLearnedHints = (ctx: CallContext, columns: readonly ColumnProfile[]) => Promise<LearnedHint[]>;

/** No learning service: the mapping rests on presets, the dictionary, similarity and value shapes. */
export const noLearnedHints: FetchLearnedHints = async () => [];

type LearningClient = Pick<ServiceClient<typeof LearningService.method>, "getRecommendations">;

// The learning service's limits (proto/migrate/learning/v1/learning.proto); a header outside them
// would make it refuse the whole request, so such a column is simply not asked about.
const MAX_HEADERS = 1_000;
const MAX_HEADER_LENGTH = 1_000;
const SAMPLES_SENT = 20;
/**
 * A near match below this is weaker than any of the agent's own rules (name similarity starts at
 * 0.55, value shapes at 0.7); as a suggestion it would only turn a column that is otherwise kept
 * as a custom attribute into a question for a person.
 */
export const MIN_HINT_CONFIDENCE = 0.5;
const WARN_EVERY_MS = 60_000;

/**
 * MapFields' hints from `LearningService.GetRecommendations`: one call per import with every
 * column (header and a few values) and the import's context (detected format, all headers);
 * the top recommendation of each header becomes its hint. Learning being down, slow (past
 * `timeoutMs`) or refusing the request never fails the mapping: the answer is then no hints,
 * and the outage is logged at most once per `warnEveryMs`.
 */
export function createLearnedHintsFetcher(deps: {
  learning: LearningClient;
  logger: Logger;
  registry?: Registry;
  timeoutMs: number;
  warnEveryMs?: number;
}): FetchLearnedHints {
  const warnEveryMs = deps.warnEveryMs ?? WARN_EVERY_MS;
  const lookups = deps.registry
    ? new Counter({
        name: "agent_learned_hint_lookups_total",
        help: "GetRecommendations calls of field mapping, by outcome (ok, unavailable, timeout, error)",
        labelNames: ["outcome"],
        registers: [deps.registry],
      })
    : undefined;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let missedSinceWarn = 0;

  return async (ctx, columns) => {
    const asked = columns
      .map((column, index) => ({ column, index, text: column.source.trim() }))
      .filter(({ text }) => text.length > 0 && text.length <= MAX_HEADER_LENGTH)
      .slice(0, MAX_HEADERS);
    if (asked.length === 0) return [];
    const format = detectFormat(new Set(columns.map((column) => normalizeHeader(column.source))))?.name ?? "generic";
    try {
      const response = await deps.learning.getRecommendations(
        {
          headers: asked.map(({ text, column }) => ({ text, sampleValues: column.samples.slice(0, SAMPLES_SENT) })),
          context: { format, headers: asked.map(({ text }) => text) },
          topK: 1,
        },
        { tenant: ctx.tenant, timeoutMs: deps.timeoutMs, signal: ctx.signal },
      );
      lookups?.inc({ outcome: "ok" });
      if (missedSinceWarn > 0) {
        deps.logger.info({ missed: missedSinceWarn }, "learning service answers again; learned hints are back");
        missedSinceWarn = 0;
        lastWarnAt = Number.NEGATIVE_INFINITY;
      }
      const hints: LearnedHint[] = [];
      response.results.forEach((result, i) => {
        const top = result.recommendations[0];
        const source = asked[i]?.column.source;
        if (!top || source === undefined || top.confidence < MIN_HINT_CONFIDENCE) return;
        hints.push({
          source,
          target: top.target,
          confidence: top.confidence,
          evidenceCount: top.evidence[0]?.evidenceCount ?? 1,
        });
      });
      return hints;
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const code = isMeshError(error) ? error.code : "INTERNAL";
      lookups?.inc({
        outcome: code === "UNAVAILABLE" ? "unavailable" : code === "DEADLINE_EXCEEDED" ? "timeout" : "error",
      });
      missedSinceWarn++;
      const now = Date.now();
      if (now - lastWarnAt >= warnEveryMs) {
        lastWarnAt = now;
        deps.logger.warn(
          { code, reason: error instanceof Error ? error.message : String(error), missed: missedSinceWarn },
          "learning service unavailable; mapping without learned patterns",
        );
      }
      return [];
    }
  };
}
