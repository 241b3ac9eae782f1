import type { CallContext } from "@migrate/grpc";
import type { FlowRow } from "../flows/flow-row.ts";

/** A person's correction of one suggested mapping, as approved. */
export interface AppliedCorrection {
  source: string;
  /** What the agent suggested, and how sure it was (null: no target). */
  suggestedTarget: string | null;
  suggestedConfidence: number;
  /** What the person chose (null: keep the column as a custom attribute). */
  correctedTarget: string | null;
}

/**
 * The seam where approved corrections become the tenant's learned field-mapping patterns
 * (LearningService), so the next import of the same format maps itself. The learning issue
 * fills it in; until then it deliberately records nothing and reports nothing. It runs after
 * the approval committed and must never fail one.
 */
export async function recordCorrections(
  _ctx: CallContext,
  _flow: FlowRow,
  _corrections: readonly AppliedCorrection[],
): Promise<void> {
  return;
}
