import { create } from "@bufbuild/protobuf";
import {
  type CleanseRecordsResponse,
  CleanseRecordsResponseSchema,
  type ValidateRecordsResponse,
  ValidateRecordsResponseSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import { runPipeline } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import { pendingReview } from "../engine/mapping-review.ts";
import { countIssues } from "./count-issues.ts";
import { ensureMappings } from "./ensure-mappings.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { rawPage } from "./raw-pages.ts";
import { replaceIssues } from "./replace-issues.ts";
import { addNotices, storeCleansedBatch } from "./store-cleansed-batch.ts";
import { toFieldMapping } from "./stored-mappings.ts";

/**
 * Suggests the field mappings, then validates every record against them: issues and a quality
 * score per row; and, when the mappings need no review, cleanses each batch and recommends each
 * asset's strategy in the same pass.
 */
export const dataValidation: PhaseDefinition = {
  name: "data_validation",
  weight: 15,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const stored = await ensureMappings(ctx);
    const mappings = stored.map(toFieldMapping);
    // When field_mapping will not stop the flow, these are the mappings cleansing would use:
    // each batch is cleansed in the same agent call and data_cleansing has nothing left to do.
    // A resumed phase keeps the mode it started in.
    const cleanse = ctx.checkpoint.last_row
      ? ctx.checkpoint.cleansed === true
      : pendingReview(stored, ctx.settings.confidenceThreshold).length === 0;
    // In the same pass, each asset's strategy: strategy_recommendation then only plans. A phase
    // resumed from a checkpoint written without it carries on without it.
    const recommend = ctx.checkpoint.last_row ? ctx.checkpoint.strategies === true : cleanse;
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
      process: async (page): Promise<{ validation: ValidateRecordsResponse; cleansing?: CleanseRecordsResponse }> => {
        const request = { flowId, mappings, records: page.items };
        if (!cleanse) {
          return { validation: await ctx.call("ValidateRecords", (agent, o) => agent.validateRecords(request, o)) };
        }
        const both = await ctx.call("ValidateAndCleanseRecords", (agent, o) =>
          agent.validateAndCleanseRecords({ ...request, recommendStrategies: recommend }, o),
        );
        return {
          validation: both.validation ?? create(ValidateRecordsResponseSchema),
          cleansing: both.cleansing ?? create(CleanseRecordsResponseSchema),
        };
      },
      // Each page's rows are written as soon as its answer is in, side by side with the others';
      // the checkpoint (and the sums it carries) then moves over the pages in order.
      store: (page, { validation, cleansing }) =>
        ctx.store(async (trx) => {
          await replaceIssues(trx, flowId, "data_validation", { from: page.first, to: page.last }, validation.issues);
          if (cleansing) await storeCleansedBatch(trx, flowId, page, cleansing);
        }),
      commit: async (page, { validation: result, cleansing }) => {
        for (const column of result.personalDataColumns) personal.add(column);
        processed += page.items.length;
        for (const { score } of result.quality) qualitySum += score;
        qualityRows += result.quality.length;
        const checkpoint = {
          last_row: page.last,
          personal_data_columns: [...personal],
          quality_sum: qualitySum,
          quality_rows: qualityRows,
          cleansed: cleanse,
          strategies: recommend,
        };
        const notices = cleansing?.notices ?? [];
        await ctx.commit({ processed, total, checkpoint }, (trx) => addNotices(trx, flowId, notices));
      },
      counts: ({ validation, cleansing }) => ({
        "flow.batch.issues": validation.issues.length,
        ...(cleansing ? { "flow.batch.assets": cleansing.assets.length } : {}),
      }),
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
