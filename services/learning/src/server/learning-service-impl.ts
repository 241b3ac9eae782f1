import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { LearningDatabase } from "../db/learning-database.ts";
import type { Embedder } from "../embeddings/embedder.ts";
import { dominantShape } from "../embeddings/value-shape.ts";
import type { CorrectionWriter } from "../patterns/correction-writer.ts";
import { deletePattern } from "../patterns/delete-pattern.ts";
import { findSimilarPatterns } from "../patterns/find-similar-patterns.ts";
import { listPatterns } from "../patterns/list-patterns.ts";
import { readPatternId } from "../patterns/pattern-id.ts";
import { readLimit, readPatternType, readSamples, readSourceText } from "../patterns/pattern-input.ts";
import { patternMessage } from "../patterns/pattern-row.ts";
import { readCorrection } from "../patterns/read-correction.ts";
import { findEvidence, rankTargets } from "../patterns/recommend-targets.ts";
import { FEEDBACK_OUTCOMES, type FeedbackOutcome, recordFeedback } from "../patterns/record-feedback.ts";
import { sourceKey } from "../patterns/source-key.ts";
import type { UsageRecorder } from "../patterns/usage-recorder.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
const MAX_BATCH = 1_000;
const MAX_HEADERS = 1_000;
/** Nearest patterns less similar than this are no evidence (docs/learning.md shows why 0.25). */
export const DEFAULT_MIN_SIMILARITY = 0.25;

export interface LearningServiceDeps {
  db: Kysely<LearningDatabase>;
  embedder: Embedder;
  usage: UsageRecorder;
  /** pgvector's hnsw.ef_search for every kNN query. */
  /** Statements (connections) one GetRecommendations call may spread its headers over. */
  searchParallelism: number;
  /** Stores corrections, grouping concurrent callers' (createCorrectionWriter). */
  corrections: CorrectionWriter;
}

/** The `LearningService` handlers; every query is scoped by the caller's client account (and engagement). */
export function learningServiceImpl(deps: LearningServiceDeps): ServiceImpl<typeof LearningService.method> {
  const { db, embedder, usage, searchParallelism, corrections } = deps;
  return {
    async listPatterns(request, ctx) {
      // Empty lists every type (unlike the other calls, where empty means field_mapping).
      const patternType = request.patternType.trim() ? readPatternType(request.patternType) : undefined;
      if (request.limit < 0 || request.limit > MAX_LIMIT) {
        throw new MeshError("INVALID_ARGUMENT", `limit must be between 0 and ${MAX_LIMIT} (0 means ${DEFAULT_LIMIT})`, {
          field: "limit",
          value: String(request.limit),
        });
      }
      const rows = await listPatterns(db, ctx.tenant, { patternType, limit: request.limit || DEFAULT_LIMIT });
      return { patterns: rows.map(patternMessage) };
    },

    async learnFromCorrection(request, ctx) {
      const input = readCorrection(request.correction, ctx.tenant);
      const { stored, rejected } = await corrections.store({
        scope: ctx.tenant,
        createdBy: createdBy(ctx.tenant),
        corrections: [input],
      });
      const [first] = stored;
      if (!first) throw new MeshError("INTERNAL", "the correction was not stored");
      return {
        pattern: patternMessage(first.row),
        merged: first.merged,
        rejected: rejected[0] ? patternMessage(rejected[0]) : undefined,
      };
    },

    async batchStorePatterns(request, ctx) {
      const count = request.corrections.length;
      if (count === 0 || count > MAX_BATCH) {
        throw new MeshError("INVALID_ARGUMENT", `corrections must hold 1 to ${MAX_BATCH} items (got ${count})`, {
          field: "corrections",
          value: String(count),
        });
      }
      const inputs = request.corrections.map((c, i) => readCorrection(c, ctx.tenant, `corrections[${i}].`));
      const { stored, rejected } = await corrections.store({
        scope: ctx.tenant,
        createdBy: createdBy(ctx.tenant),
        corrections: inputs,
      });
      return {
        results: stored.map((item) => ({ pattern: patternMessage(item.row), merged: item.merged })),
        rejectedCount: rejected.length,
      };
    },

    async recordFeedback(request, ctx) {
      const outcome = request.outcome.trim().toLowerCase();
      if (!(FEEDBACK_OUTCOMES as readonly string[]).includes(outcome)) {
        throw new MeshError("INVALID_ARGUMENT", `outcome must be one of ${FEEDBACK_OUTCOMES.join(", ")}`, {
          field: "outcome",
          value: request.outcome.slice(0, 40),
          valid: [...FEEDBACK_OUTCOMES],
        });
      }
      const row = await recordFeedback(db, ctx.tenant, readPatternId(request.patternId), outcome as FeedbackOutcome);
      return { pattern: patternMessage(row) };
    },

    async getRecommendations(request, ctx) {
      const patternType = readPatternType(request.patternType);
      if (request.headers.length > MAX_HEADERS) {
        throw new MeshError(
          "INVALID_ARGUMENT",
          `at most ${MAX_HEADERS} headers per request (got ${request.headers.length})`,
          {
            field: "headers",
            value: String(request.headers.length),
          },
        );
      }
      const topK = readLimit(request.topK, "top_k", { fallback: 3, max: 10 });
      const minSimilarity = readSimilarity(request.minSimilarity);
      const texts = request.headers.map((header, i) => readSourceText(header.text, `headers[${i}].text`));
      if (texts.length === 0) return { results: [], embeddingModel: embedder.model };
      const format = request.context?.format.trim().slice(0, 100) || undefined;
      const batch = await embedder.embed(
        request.headers.map((header, i) => ({
          text: texts[i] as string,
          format,
          valueShape: dominantShape(readSamples(header.sampleValues)),
        })),
      );
      const evidence = await findEvidence(db, {
        scope: ctx.tenant,
        patternType,
        probes: texts.map((text, i) => ({ sourceKey: sourceKey(text), vector: batch.vectors[i] as Float32Array })),
        model: batch.model,
        candidates: Math.max(10, topK * 4),
        parallelism: searchParallelism,
      });
      const used = new Set<string>();
      const results = texts.map((text, i) => {
        const ranked = rankTargets(evidence[i] ?? [], topK, minSimilarity);
        for (const recommendation of ranked) for (const row of recommendation.evidence) used.add(row.pattern_id);
        return {
          header: text,
          recommendations: ranked.map((recommendation) => ({
            target: recommendation.target,
            confidence: recommendation.confidence,
            evidence: recommendation.evidence.map((row) => ({
              patternId: row.pattern_id,
              sourceText: row.source_text,
              evidenceCount: row.evidence_count,
              similarity: row.similarity,
              exactMatch: row.exact,
              patternConfidence: row.confidence,
              engagementId: row.engagement_id ?? "",
            })),
          })),
        };
      });
      usage.record(used);
      return { results, embeddingModel: batch.model };
    },

    async findSimilarPatterns(request, ctx) {
      const text = readSourceText(request.text, "text");
      const patternType = readPatternType(request.patternType);
      const k = readLimit(request.k, "k", { fallback: 10, max: 100 });
      const format = request.context?.format.trim().slice(0, 100) || undefined;
      const batch = await embedder.embed([{ text, format }]);
      const rows = await findSimilarPatterns(db, {
        scope: ctx.tenant,
        patternType,
        vector: batch.vectors[0] as Float32Array,
        model: batch.model,
        k,
      });
      return { patterns: rows.map(({ similarity, ...row }) => ({ pattern: patternMessage(row), similarity })) };
    },

    async deletePattern(request, ctx) {
      await deletePattern(db, ctx.tenant, readPatternId(request.patternId));
      return {};
    },
  };
}

function createdBy(tenant: { userId: string }): string {
  return tenant.userId || "unknown";
}

function readSimilarity(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new MeshError("INVALID_ARGUMENT", "min_similarity must be between 0 and 1 (0 means the default)", {
      field: "min_similarity",
      value: String(value),
    });
  }
  return value || DEFAULT_MIN_SIMILARITY;
}
