import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CorrectionSchema } from "@migrate/gen/learning/v1/learning_pb";
import type { StoredMapping } from "../phases/stored-mappings.ts";
import type { AppliedCorrection } from "./learning-feedback.ts";

export type CorrectionInit = MessageInitShape<typeof CorrectionSchema>;

// The learning service's limits: a longer or empty header would fail the whole batch.
const MAX_SOURCE_LENGTH = 1_000;
const SAMPLES_SENT = 20;
// It keeps 50 neighbouring headers per pattern; one more leaves 50 once the column itself is
// dropped, and keeps a wide file's batch from carrying every header once per column.
const NEIGHBOURS_SENT = 51;

/**
 * What one mapping review taught, as `LearningService` corrections: every reviewed column that
 * ended on a canonical target, an approval (`suggested_target` = `target`) when the person kept
 * the agent's suggestion, a correction (the suggestion and the chosen target) when they changed
 * it. Columns kept as custom attributes have no target to learn and are counted as skipped.
 */
export function reviewCorrections(review: {
  /** The mappings as approved. */
  mappings: readonly StoredMapping[];
  /** The person's corrections, with what had been suggested. */
  applied: readonly AppliedCorrection[];
  format: string;
  columns: readonly string[];
  samples: ReadonlyMap<string, readonly string[]>;
}): { corrections: CorrectionInit[]; skipped: number } {
  const suggestedBySource = new Map(review.applied.map((c) => [c.source, c.suggestedTarget ?? ""]));
  const context = { format: review.format, headers: review.columns.slice(0, NEIGHBOURS_SENT) };
  const corrections: CorrectionInit[] = [];
  let skipped = 0;
  for (const mapping of review.mappings) {
    const length = mapping.source.trim().length;
    if (!mapping.target || length === 0 || length > MAX_SOURCE_LENGTH) {
      skipped++;
      continue;
    }
    corrections.push({
      patternType: "field_mapping",
      sourceText: mapping.source,
      suggestedTarget: suggestedBySource.get(mapping.source) ?? mapping.target,
      target: mapping.target,
      context,
      sampleValues: (review.samples.get(mapping.source) ?? []).slice(0, SAMPLES_SENT),
    });
  }
  return { corrections, skipped };
}
