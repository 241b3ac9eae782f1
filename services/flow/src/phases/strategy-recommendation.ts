import { type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import { type AssetDocumentSchema, StrategyRecommendationSchema } from "@migrate/gen/agent/v1/agent_pb";
import { type Page, runPipeline } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { planMigration } from "./plan-migration.ts";
import { rowRangePage } from "./row-range-page.ts";

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
      commit: async (page, result) => {
        // One JSON parameter for the batch, unpacked by PostgreSQL (no per-element array escaping).
        const updates = JSON.stringify(
          result.recommendations.map((r) => ({
            row_number: Number(r.rowNumber),
            strategy: r.strategy,
            detail: toJson(StrategyRecommendationSchema, r, { useProtoFieldName: true }),
          })),
        );
        processed += page.items.length;
        await ctx.commit({ processed, total, checkpoint: { last_row: page.last } }, async (trx) => {
          // e.g. "LLM budget exhausted; heuristic provider used": the user must see it on the flow.
          for (const notice of result.notices) await addNotice(trx, flowId, notice);
          if (result.recommendations.length === 0) return;
          await sql`update assets a set strategy = r.strategy, strategy_detail = r.detail
            from json_to_recordset(${updates}::json) as r(row_number integer, strategy text, detail jsonb)
            where a.flow_id = ${flowId} and a.row_number = r.row_number`.execute(trx);
        });
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
