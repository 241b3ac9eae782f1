import { runPipeline } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import { countIssues } from "./count-issues.ts";
import { ensureMappings } from "./ensure-mappings.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { rawPage } from "./raw-pages.ts";
import { replaceIssues } from "./replace-issues.ts";
import { toFieldMapping } from "./stored-mappings.ts";

/** Suggests the field mappings, then validates every record against them: issues and a quality score per row. */
export const dataValidation: PhaseDefinition = {
  name: "data_validation",
  weight: 15,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const mappings = (await ensureMappings(ctx)).map(toFieldMapping);
    const total = ctx.flow.raw_record_count;
    const personal = new Set((ctx.checkpoint.personal_data_columns as string[] | undefined) ?? []);
    let processed = ctx.processed;
    // The report's data quality before the inventory exists: the mean of the row scores.
    let qualitySum = Number(ctx.checkpoint.quality_sum ?? 0);
    let qualityRows = Number(ctx.checkpoint.quality_rows ?? 0);
    await runPipeline({
      after: Number(ctx.checkpoint.last_row ?? 0),
      inFlight: ctx.settings.batchesInFlight,
      stopping: ctx.stopping,
      nextPage: (after) => rawPage(ctx.db, flowId, after, ctx.settings.batchSize),
      process: (page) =>
        ctx.call("ValidateRecords", (agent, options) =>
          agent.validateRecords({ flowId, mappings, records: page.items }, options),
        ),
      commit: async (page, result) => {
        for (const column of result.personalDataColumns) personal.add(column);
        processed += page.items.length;
        for (const { score } of result.quality) qualitySum += score;
        qualityRows += result.quality.length;
        const checkpoint = {
          last_row: page.last,
          personal_data_columns: [...personal],
          quality_sum: qualitySum,
          quality_rows: qualityRows,
        };
        await ctx.commit({ processed, total, checkpoint }, (trx) =>
          replaceIssues(trx, flowId, "data_validation", { from: page.first, to: page.last }, result.issues),
        );
      },
      counts: (result) => ({ "flow.batch.issues": result.issues.length }),
    });
    if (personal.size) {
      await ctx.commit({ processed, total }, (trx) =>
        addNotice(trx, flowId, `columns holding personal data: ${[...personal].sort().join(", ")}`),
      );
    }
    return {
      status: "completed",
      counts: { records: processed, issues: await countIssues(ctx.db, flowId, "data_validation") },
    };
  },
};
