import { sql, type Transaction } from "@migrate/db";
import type { AssetDocument, CleanseRecordsResponse } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { Page } from "../engine/batch-pipeline.ts";
import { addNotice } from "../engine/flow-run.ts";
import { replaceIssues } from "./replace-issues.ts";

/**
 * Stores what cleansing made of one page of raw records: its notices, its assets (upserted, so
 * a redone page leaves one of each) and its data_cleansing issues (replaced for the page's rows).
 * Called by data_cleansing, and by data_validation when it cleansed in the same pass.
 */
export async function storeCleansedBatch(
  trx: Transaction<FlowDatabase>,
  flowId: string,
  page: Page<unknown>,
  cleansed: CleanseRecordsResponse,
): Promise<void> {
  for (const notice of cleansed.notices) await addNotice(trx, flowId, notice);
  if (cleansed.assets.length) await storeAssets(trx, flowId, cleansed.assets);
  await replaceIssues(trx, flowId, "data_cleansing", { from: page.first, to: page.last }, cleansed.issues);
}

/**
 * Upserts a batch of asset documents (with their strategy, when the agent recommended it in the
 * same call) in one statement. The documents are spliced into one JSON
 * array as the text they arrived as, so PostgreSQL parses each once and this process never
 * does; the indexed columns are read out of them there. The outer array is json, not jsonb: it
 * is only read through once, and the changes are kept as the json text they came as.
 */
async function storeAssets(trx: Transaction<FlowDatabase>, flowId: string, assets: readonly AssetDocument[]) {
  const documents = `[${assets
    .map(
      (a) =>
        `{"row_number":${Number(a.rowNumber)},"data":${a.assetJson},"changes":${a.changesJson || "[]"},"strategy":${a.strategyJson || "null"}}`,
    )
    .join(",")}]`;
  await sql`insert into assets
      (flow_id, row_number, data, changes, asset_name, hostname, asset_type, environment, os_family, quality,
       strategy, strategy_detail)
    select ${flowId}, d.row_number, d.data, d.changes,
      coalesce(d.data->>'asset_name', ''), coalesce(d.data->>'hostname', ''), coalesce(d.data->>'asset_type', ''),
      coalesce(d.data->>'environment', ''), coalesce(d.data->>'os_family', ''),
      coalesce((d.data->>'quality_score')::float8, 0), d.strategy->>'strategy', d.strategy
    from json_to_recordset(${documents}::json) as d(row_number integer, data jsonb, changes json, strategy jsonb)
    on conflict (flow_id, row_number) do update set
      data = excluded.data, changes = excluded.changes, asset_name = excluded.asset_name,
      hostname = excluded.hostname, asset_type = excluded.asset_type, environment = excluded.environment,
      os_family = excluded.os_family, quality = excluded.quality, strategy = excluded.strategy,
      strategy_detail = excluded.strategy_detail`.execute(trx);
}
