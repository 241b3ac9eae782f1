import { toJson } from "@bufbuild/protobuf";
import type { Insertable } from "@migrate/db";
import { type Asset, AssetSchema, type Change, ChangeSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { AssetsTable } from "../db/flow-database.ts";
import { runPipeline } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import { countIssues } from "./count-issues.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { rawPage } from "./raw-pages.ts";
import { replaceIssues } from "./replace-issues.ts";
import { loadMappings, toFieldMapping } from "./stored-mappings.ts";

const JSON_NAMES = { useProtoFieldName: true } as const;

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
          agent.cleanseRecords({ flowId, mappings, records: page.items.map((item) => item.record) }, options),
        ),
      commit: async (page, result) => {
        const rawQuality = new Map(page.items.map((item) => [Number(item.record.rowNumber), item.quality]));
        const rows = assetRows(flowId, result.assets, result.changes, rawQuality);
        processed += page.items.length;
        await ctx.commit({ processed, total, checkpoint: { last_row: page.last } }, async (trx) => {
          for (const notice of result.notices) await addNotice(trx, flowId, notice);
          if (rows.length) {
            await trx
              .insertInto("assets")
              .values(rows)
              .onConflict((oc) =>
                oc.columns(["flow_id", "row_number"]).doUpdateSet((eb) => ({
                  data: eb.ref("excluded.data"),
                  changes: eb.ref("excluded.changes"),
                  asset_name: eb.ref("excluded.asset_name"),
                  hostname: eb.ref("excluded.hostname"),
                  asset_type: eb.ref("excluded.asset_type"),
                  environment: eb.ref("excluded.environment"),
                  os_family: eb.ref("excluded.os_family"),
                  quality: eb.ref("excluded.quality"),
                })),
              )
              .execute();
          }
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

function assetRows(
  flowId: string,
  assets: readonly Asset[],
  changes: readonly Change[],
  rawQuality: Map<number, number | null>,
): Insertable<AssetsTable>[] {
  const changesByRow = new Map<number, unknown[]>();
  for (const change of changes) {
    const row = Number(change.rowNumber);
    const list = changesByRow.get(row) ?? [];
    list.push(toJson(ChangeSchema, change, JSON_NAMES));
    changesByRow.set(row, list);
  }
  return assets.map((asset) => {
    const row = Number(asset.rowNumber);
    return {
      flow_id: flowId,
      row_number: row,
      data: JSON.stringify(toJson(AssetSchema, asset, JSON_NAMES)),
      changes: JSON.stringify(changesByRow.get(row) ?? []),
      asset_name: asset.assetName,
      hostname: asset.hostname,
      asset_type: asset.assetType,
      environment: asset.environment,
      os_family: asset.osFamily,
      quality: asset.qualityScore || (rawQuality.get(row) ?? 0),
    };
  });
}
