import { addNotice } from "../engine/flow-run.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import { columnProfiles } from "./column-profiles.ts";
import { loadMappings, type StoredMapping } from "./stored-mappings.ts";

/** The flow's field mappings; suggested by the agent (once) and stored on first use. */
export async function ensureMappings(ctx: PhaseContext): Promise<StoredMapping[]> {
  const stored = await loadMappings(ctx.db, ctx.flow.id);
  if (stored.length) return stored;
  const columns = ctx.flow.columns;
  const profiles = await columnProfiles(ctx.db, ctx.flow.id, columns);
  const response = await ctx.call("MapFields", (agent, options) =>
    agent.mapFields({ flowId: ctx.flow.id, columns: profiles }, options),
  );
  const position = (source: string, index: number) => {
    const at = columns.indexOf(source);
    return at >= 0 ? at : columns.length + index;
  };
  await ctx.commit({ processed: ctx.processed }, async (trx) => {
    await trx.deleteFrom("field_mappings").where("flow_id", "=", ctx.flow.id).execute();
    if (response.mappings.length) {
      await trx
        .insertInto("field_mappings")
        .values(
          response.mappings.map((mapping, index) => ({
            flow_id: ctx.flow.id,
            position: position(mapping.source, index),
            source: mapping.source,
            target: mapping.target || null,
            confidence: mapping.confidence,
            reason: mapping.reason,
            unit: mapping.unit,
            alternatives: JSON.stringify(
              mapping.alternatives.map((a) => ({ target: a.target, confidence: a.confidence })),
            ),
            sibling: mapping.sibling,
          })),
        )
        .execute();
    }
    await trx.updateTable("flows").set({ mapping_format: response.format }).where("id", "=", ctx.flow.id).execute();
    for (const notice of response.notices) await addNotice(trx, ctx.flow.id, notice);
    if (response.learnedCount > 0) {
      const count = response.learnedCount;
      await addNotice(
        trx,
        ctx.flow.id,
        `${count} field mapping${count === 1 ? " was" : "s were"} learned from earlier approvals`,
      );
    }
  });
  return loadMappings(ctx.db, ctx.flow.id);
}
