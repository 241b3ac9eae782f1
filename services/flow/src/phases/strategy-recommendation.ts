import { type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import { type AssetDocumentSchema, StrategyRecommendationSchema } from "@migrate/gen/agent/v1/agent_pb";
import { type Page, runPipeline } from "../engine/batch-pipeline.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { planMigration } from "./plan-migration.ts";
import { rowRangePage } from "./row-range-page.ts";
import { addNotices } from "./store-cleansed-batch.ts";

type AssetDocumentInit = MessageInitShape<typeof AssetDocumentSchema>;

/** One of the 7 Rs per asset (in batches), then per application with dependency-aware waves. */
export const strategyRecommendation: PhaseDefinition = {
  name: "strategy_recommendation",
  weight: 20,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const total = ctx.flow.asset_count;
    let processed = ctx.processed;
    // Validation recommends each asset's strategy with its cleansing when no review was needed:
    // then there is nothing to recommend here, only the plan.
    if (!(await strategiesMissing(ctx))) {
      await ctx.commit({ processed: total, total });
      const plan = await planMigration(ctx);
      return { status: "completed", counts: { assets: total, ...plan } };
    }
    await runPipeline({
      after: Number(ctx.checkpoint.last_row ?? 0),
      inFlight: ctx.settings.batchesInFlight,
      stopping: ctx.stopping,
      nextPage: (after) => assetPage(ctx, after),
      process: (page) =>
        ctx.call("RecommendStrategies", (agent, options) =>
          agent.recommendStrategies({ flowId, assets: page.items }, options),
        ),
      // Each page's strategies are written as soon as they are in (an update of its own rows,
      // idempotent); the checkpoint then moves over the pages in order.
      store: async (_page, result) => {
        if (result.recommendations.length === 0) return;
        // One JSON parameter for the batch, unpacked by PostgreSQL (no per-element array escaping).
        const updates = JSON.stringify(
          result.recommendations.map((r) => ({
            row_number: Number(r.rowNumber),
            strategy: r.strategy,
            detail: toJson(StrategyRecommendationSchema, r, { useProtoFieldName: true }),
          })),
        );
        await ctx.store(async (trx) => {
          await sql`update assets a set strategy = r.strategy, strategy_detail = r.detail
            from json_to_recordset(${updates}::json) as r(row_number integer, strategy text, detail jsonb)
            where a.flow_id = ${flowId} and a.row_number = r.row_number`.execute(trx);
        });
      },
      commit: async (page, result) => {
        processed += page.items.length;
        // e.g. "LLM budget exhausted; heuristic provider used": the user must see it on the flow.
        await ctx.commit({ processed, total, checkpoint: { last_row: page.last } }, (trx) =>
          addNotices(trx, flowId, result.notices),
        );
      },
      counts: (result) => ({ "flow.batch.recommendations": result.recommendations.length }),
    });
    const plan = await planMigration(ctx);
    return { status: "completed", counts: { assets: processed, ...plan } };
  },
};

/** Whether an asset that is not a duplicate still has no strategy. */
async function strategiesMissing(ctx: PhaseContext): Promise<boolean> {
  const { rows } = await sql<{ missing: boolean }>`
    select exists (select 1 from assets
      where flow_id = ${ctx.flow.id} and duplicate_of is null and strategy is null) as missing`.execute(ctx.db);
  return rows[0]?.missing ?? true;
}

function assetPage(ctx: PhaseContext, after: number): Promise<Page<AssetDocumentInit> | undefined> {
  return rowRangePage(ctx.db, { table: "assets", flowId: ctx.flow.id }, after, ctx.settings.batchSize, (row) => ({
    rowNumber: BigInt(row.row_number),
    assetJson: row.data,
  }));
}
