import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { LearningDatabase } from "../db/learning-database.ts";
import { listPatterns } from "../patterns/list-patterns.ts";
import { isPatternType, PATTERN_TYPES } from "../patterns/pattern-types.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

/** The `LearningService` handlers; every query is scoped by the caller's client account. */
export function learningServiceImpl(db: Kysely<LearningDatabase>): ServiceImpl<typeof LearningService.method> {
  return {
    async listPatterns(request, ctx) {
      const patternType = request.patternType.trim();
      if (patternType && !isPatternType(patternType)) {
        throw new MeshError("INVALID_ARGUMENT", `unknown pattern_type; valid: ${PATTERN_TYPES.join(", ")}`, {
          field: "pattern_type",
          value: patternType,
          valid: [...PATTERN_TYPES],
        });
      }
      if (request.limit < 0 || request.limit > MAX_LIMIT) {
        throw new MeshError("INVALID_ARGUMENT", `limit must be between 0 and ${MAX_LIMIT} (0 means ${DEFAULT_LIMIT})`, {
          field: "limit",
          value: String(request.limit),
        });
      }
      const rows = await listPatterns(db, ctx.tenant, {
        patternType: patternType && isPatternType(patternType) ? patternType : undefined,
        limit: request.limit || DEFAULT_LIMIT,
      });
      return {
        patterns: rows.map((row) => ({
          id: row.id,
          patternType: row.pattern_type,
          sourceText: row.source_text,
          target: row.target,
          confidence: row.confidence,
          evidenceCount: row.evidence_count,
          createdAt: row.created_at.toISOString(),
        })),
      };
    },
  };
}
