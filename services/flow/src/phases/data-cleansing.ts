import { runPipeline } from "../engine/batch-pipeline.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import { countIssues } from "./count-issues.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { rawPage } from "./raw-pages.ts";
import { addNotices, storeCleansedBatch } from "./store-cleansed-batch.ts";
import { loadMappings, toFieldMapping } from "./stored-mappings.ts";

/** Raw records + the approved mapping → canonical assets, with every change recorded. */
export const dataCleansing: PhaseDefinition = {
  name: "data_cleansing",
  weight: 30,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const total = ctx.flow.raw_record_count;
    if (await cleansedByValidation(ctx)) {
      await ctx.commit({ processed: total, total });
      return {
        status: "completed",
        counts: { records: total, issues: await countIssues(ctx.db, flowId, "data_cleansing") },
      };
    }
    const mappings = (await loadMappings(ctx.db, flowId)).map(toFieldMapping);
    let processed = ctx.processed;
    await runPipeline({
      after: Number(ctx.checkpoint.last_row ?? 0),
      inFlight: ctx.settings.batchesInFlight,
      stopping: ctx.stopping,
      nextPage: (after) => rawPage(ctx.db, flowId, after, ctx.settings.batchSize),
      process: (page) =>
        ctx.call("CleanseRecords", (agent, options) =>
          agent.cleanseRecords({ flowId, mappings, records: page.items }, options),
        ),
      store: (page, result) => ctx.store((trx) => storeCleansedBatch(trx, flowId, page, result)),
      commit: async (page, result) => {
        processed += page.items.length;
        await ctx.commit({ processed, total, checkpoint: { last_row: page.last } }, (trx) =>
          addNotices(trx, flowId, result.notices),
        );
      },
      counts: (result) => ({ "flow.batch.assets": result.assets.length, "flow.batch.issues": result.issues.length }),
    });
    return {
      status: "completed",
      counts: { records: processed, issues: await countIssues(ctx.db, flowId, "data_cleansing") },
    };
  },
};

/**
 * Whether data_validation already cleansed every record in its own pass (it does when the
 * mappings needed no review, so they are the ones it used): then there is nothing left to do.
 */
async function cleansedByValidation(ctx: PhaseContext): Promise<boolean> {
  const validation = await ctx.db
    .selectFrom("flow_phases")
    .select(["status", "checkpoint"])
    .where("flow_id", "=", ctx.flow.id)
    .where("phase", "=", "data_validation")
    .executeTakeFirst();
  return validation?.status === "completed" && validation.checkpoint.cleansed === true;
}
