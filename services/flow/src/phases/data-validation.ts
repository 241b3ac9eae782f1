import { sql } from "@migrate/db";
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
    await runPipeline({
      after: Number(ctx.checkpoint.last_row ?? 0),
      inFlight: ctx.settings.batchesInFlight,
      stopping: ctx.stopping,
      nextPage: (after) => rawPage(ctx.db, flowId, after, ctx.settings.batchSize),
      process: (page) =>
        ctx.call("ValidateRecords", (agent, options) =>
          agent.validateRecords({ flowId, mappings, records: page.items.map((item) => item.record) }, options),
        ),
      commit: async (page, result) => {
        for (const column of result.personalDataColumns) personal.add(column);
        processed += page.items.length;
        const checkpoint = { last_row: page.last, personal_data_columns: [...personal] };
        await ctx.commit({ processed, total, checkpoint }, async (trx) => {
          await replaceIssues(trx, flowId, "data_validation", { from: page.first, to: page.last }, result.issues);
          if (result.quality.length) {
            const rows = result.quality.map((q) => Number(q.rowNumber));
            const scores = result.quality.map((q) => q.score);
            await sql`update raw_records r set quality = q.score
              from unnest(${rows}::int[], ${scores}::float8[]) as q(row_number, score)
              where r.flow_id = ${flowId} and r.row_number = q.row_number`.execute(trx);
          }
        });
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
