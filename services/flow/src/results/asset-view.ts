import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import {
  type Asset,
  AssetSchema,
  type StrategyRecommendation,
  StrategyRecommendationSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import { type AssetView, AssetViewSchema } from "@migrate/gen/flow/v1/flow_pb";

/** An asset's wave: its application's, read rather than copied onto every asset row. */
export const ASSET_WAVE = sql<number | null>`(select ap.wave from applications ap
  where ap.flow_id = assets.flow_id and ap.key = assets.application_key)`.as("wave");

/** The columns an asset listing or export reads. */
export const ASSET_VIEW_COLUMNS = [
  "row_number",
  "data",
  "application_key",
  "strategy",
  "strategy_detail",
  "quality",
  ASSET_WAVE,
] as const;

export interface AssetViewRow {
  row_number: number;
  data: Record<string, unknown>;
  application_key: string | null;
  strategy: string | null;
  strategy_detail: Record<string, unknown> | null;
  wave: number | null;
  quality: number;
}

// Stored by another release may carry fields this one does not know: they are skipped, not fatal.
const READ = { ignoreUnknownFields: true } as const;

/** The stored agent.v1.Asset; its key is the row number, whatever the JSON says. */
export function assetFromRow(row: AssetViewRow): Asset {
  const asset = fromJson(AssetSchema, row.data as JsonValue, READ);
  asset.rowNumber = BigInt(row.row_number);
  return asset;
}

/** The asset's strategy: the full recommendation when stored, else just its name. */
export function strategyFromRow(row: AssetViewRow): StrategyRecommendation | undefined {
  if (row.strategy_detail) return fromJson(StrategyRecommendationSchema, row.strategy_detail as JsonValue, READ);
  if (row.strategy)
    return create(StrategyRecommendationSchema, { rowNumber: BigInt(row.row_number), strategy: row.strategy });
  return undefined;
}

export function toAssetView(row: AssetViewRow): AssetView {
  return create(AssetViewSchema, {
    asset: assetFromRow(row),
    applicationKey: row.application_key ?? "",
    strategy: strategyFromRow(row),
    wave: row.wave ?? 0,
  });
}
