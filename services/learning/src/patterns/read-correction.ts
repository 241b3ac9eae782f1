import { MeshError } from "@migrate/errors";
import type { Correction } from "@migrate/gen/learning/v1/learning_pb";
import type { StoredPatternContext } from "../db/learning-database.ts";
import type { EmbeddingInput } from "../embeddings/embedder.ts";
import { dominantShape } from "../embeddings/value-shape.ts";
import {
  readNeighbours,
  readOptionalTarget,
  readPatternType,
  readSamples,
  readSourceText,
  readTarget,
} from "./pattern-input.ts";
import type { PatternType } from "./pattern-types.ts";
import { sourceKey } from "./source-key.ts";
import type { TenantScope } from "./tenant-scope.ts";

/** A correction checked and ready to store. */
export interface CorrectionInput {
  patternType: PatternType;
  sourceText: string;
  sourceKey: string;
  /** "": nothing was suggested, or the suggestion was approved (equals target). */
  rejectedTarget: string;
  target: string;
  engagementId: string | null;
  context: StoredPatternContext;
  embedding: EmbeddingInput;
}

/** Validates one `Correction`; `at` prefixes field names (e.g. `corrections[3].`) so a batch error names its item. */
export function readCorrection(
  correction: Correction | undefined,
  scope: TenantScope,
  at = "correction.",
): CorrectionInput {
  if (!correction) throw new MeshError("INVALID_ARGUMENT", "correction is required", { field: "correction" });
  const patternType = readPatternType(correction.patternType, `${at}pattern_type`);
  const sourceText = readSourceText(correction.sourceText, `${at}source_text`);
  const target = readTarget(patternType, correction.target, `${at}target`);
  const suggested = readOptionalTarget(patternType, correction.suggestedTarget, `${at}suggested_target`);
  if (correction.engagementOnly && !scope.engagementId) {
    throw new MeshError("INVALID_ARGUMENT", `${at}engagement_only needs an engagement in the caller's context`, {
      field: `${at}engagement_only`,
    });
  }
  const format = correction.context?.format.trim().slice(0, 100) || undefined;
  const valueShape = dominantShape(readSamples(correction.sampleValues));
  const neighbours = readNeighbours(correction.context?.headers ?? [], sourceText);
  return {
    patternType,
    sourceText,
    sourceKey: sourceKey(sourceText),
    rejectedTarget: suggested && suggested !== target ? suggested : "",
    target,
    engagementId: correction.engagementOnly ? scope.engagementId : null,
    context: {
      ...(format ? { format } : {}),
      ...(neighbours.length ? { neighbours } : {}),
      ...(valueShape ? { value_shape: valueShape } : {}),
    },
    embedding: { text: sourceText, format, valueShape },
  };
}
