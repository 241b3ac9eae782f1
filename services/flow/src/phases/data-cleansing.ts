import { sql, type Transaction } from "@migrate/db";
import type { AssetDocument } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { runPipeline } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import { countIssues } from "./count-issues.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { rawPage } from "./raw-pages.ts";
import { replaceIssues } from "./replace-issues.ts";
import { loadMappings, toFieldMapping } from "./stored-mappings.ts";

/** Raw records + the approved mapping → canonical assets, with every change recorded. */
export const dataCleansing: PhaseDefinition = {
  name: "data_cleansing",
  weight: 30,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const mappings = (await loadMappings(ctx.db, flowId)).map(toFieldMapping);
    const total = ctx.flow.raw_record_count;
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
      commit: async (page, result) => {
        processed += page.items.length;
        await ctx.commit({ processed, total, checkpoint: { last_row: page.last } }, async (trx) => {
          for (const notice of result.notices) await addNotice(trx, flowId, notice);
          if (result.assets.length) await storeAssets(trx, flowId, result.assets);
          await replaceIssues(trx, flowId, "data_cleansing", { from: page.first, to: page.last }, result.issues);
        });
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
 * Upserts a batch of asset documents in one statement. The documents are spliced into one JSON
 * array as the text they arrived as, so PostgreSQL parses each once and this process never
 * does; the indexed columns are read out of them there.
 */
async function storeAssets(trx: Transaction<FlowDatabase>, flowId: string, assets: readonly AssetDocument[]) {
  const documents = `[${assets
    .map((a) => `{"row_number":${Number(a.rowNumber)},"data":${a.assetJson},"changes":${a.changesJson || "[]"}}`)
    .join(",")}]`;
  await sql`insert into assets
      (flow_id, row_number, data, changes, asset_name, hostname, asset_type, environment, os_family, quality)
    select ${flowId}, d.row_number, d.data, d.changes,
      coalesce(d.data->>'asset_name', ''), coalesce(d.data->>'hostname', ''), coalesce(d.data->>'asset_type', ''),
      coalesce(d.data->>'environment', ''), coalesce(d.data->>'os_family', ''),
      coalesce((d.data->>'quality_score')::float8, 0)
    from jsonb_to_recordset(${documents}::jsonb) as d(row_number integer, data jsonb, changes jsonb)
    on conflict (flow_id, row_number) do update set
      data = excluded.data, changes = excluded.changes, asset_name = excluded.asset_name,
      hostname = excluded.hostname, asset_type = excluded.asset_type, environment = excluded.environment,
      os_family = excluded.os_family, quality = excluded.quality`.execute(trx);
}
