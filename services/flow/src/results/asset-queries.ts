import { type Kysely, sql } from "@migrate/db";
import type { FlowDatabase } from "../db/flow-database.ts";
import { type AssetFilter, ENUM_FILTERS, NO_ASSET_FILTER, UNKNOWN } from "./asset-filter.ts";
import { ASSET_VIEW_COLUMNS, type AssetViewRow } from "./asset-view.ts";

// Callers pass a flow id only after getFlow resolved it within the caller's tenant.

/**
 * The flow's assets that the filter keeps, duplicates left out. Every filter is a plain column
 * of the row (written from the asset's JSON when it is stored), so a page reads the primary key
 * range of the flow and checks the columns on the rows it walks: no JSON is parsed to filter.
 */
function assetScope(db: Kysely<FlowDatabase>, flowId: string, filter: AssetFilter) {
  let scope = db.selectFrom("assets").where("flow_id", "=", flowId).where("duplicate_of", "is", null);
  for (const name of ENUM_FILTERS) {
    const value = filter[name];
    if (!value) continue;
    if (value !== UNKNOWN) scope = scope.where(name, "=", value);
    else if (name === "strategy") scope = scope.where((eb) => eb.or([eb(name, "is", null), eb(name, "=", "")]));
    else scope = scope.where(name, "=", "");
  }
  if (filter.application) scope = scope.where("application_key", "=", filter.application);
  return scope;
}

/** Up to `limit` assets the filter keeps after row `after`, duplicates left out, in row order. */
export async function selectAssetRows(
  db: Kysely<FlowDatabase>,
  flowId: string,
  after: number,
  limit: number,
  filter: AssetFilter = NO_ASSET_FILTER,
): Promise<AssetViewRow[]> {
  return (await assetScope(db, flowId, filter)
    .select(ASSET_VIEW_COLUMNS)
    .where("row_number", ">", after)
    .orderBy("row_number")
    .limit(limit)
    .execute()) as AssetViewRow[];
}

/** How many assets of the flow the filter keeps, duplicates left out. */
export async function countAssets(
  db: Kysely<FlowDatabase>,
  flowId: string,
  filter: AssetFilter = NO_ASSET_FILTER,
): Promise<number> {
  const row = await assetScope(db, flowId, filter)
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * Every asset of the flow the filter keeps, one keyset page of `pageSize` at a time, so memory stays bounded
 * however large the inventory; the next page is read only when the consumer asks for it.
 */
export async function* assetRowPages(
  db: Kysely<FlowDatabase>,
  flowId: string,
  filter: AssetFilter = NO_ASSET_FILTER,
  pageSize = 1_000,
): AsyncGenerator<AssetViewRow[]> {
  let after = 0;
  for (;;) {
    const rows = await selectAssetRows(db, flowId, after, pageSize, filter);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || !last) return;
    after = last.row_number;
  }
}

/** The custom attribute keys used by any asset the filter keeps, sorted; the export's extra columns. */
export async function customAttributeKeys(
  db: Kysely<FlowDatabase>,
  flowId: string,
  filter: AssetFilter = NO_ASSET_FILTER,
): Promise<string[]> {
  const rows = await assetScope(db, flowId, filter)
    .select(sql<string>`jsonb_object_keys(data -> 'custom_attributes')`.as("key"))
    .distinct()
    .where(sql`jsonb_typeof(data -> 'custom_attributes')`, "=", "object")
    .execute();
  return rows.map((row) => row.key).sort();
}
