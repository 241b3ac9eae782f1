import { pendingReview, reviewMessage } from "../engine/mapping-review.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { loadMappings } from "./stored-mappings.ts";

/**
 * Lets the flow go on when the mappings are sure enough; otherwise it waits for a person
 * (ApproveMappings completes this phase). Re-evaluated whenever the flow reaches it again.
 */
export const fieldMapping: PhaseDefinition = {
  name: "field_mapping",
  weight: 5,
  async run(ctx) {
    const mappings = await loadMappings(ctx.db, ctx.flow.id);
    const mapped = mappings.filter((m) => m.target).length;
    const reasons = pendingReview(mappings, ctx.settings.confidenceThreshold);
    if (reasons.length) return { status: "awaiting_input", reasons, message: reviewMessage(reasons) };
    await ctx.commit({ processed: mappings.length, total: mappings.length });
    return { status: "completed", counts: { mappings: mappings.length, mapped } };
  },
};
