import { type Kysely, sql } from "@migrate/db";
import type { FlowDatabase } from "../db/flow-database.ts";
import { ASSET_VIEW_COLUMNS, type AssetViewRow } from "./asset-view.ts";

// Callers pass a flow id only after getFlow resolved it within the caller's tenant.

/** Up to `limit` assets after row `after`, duplicates left out, in row order. */
export async function selectAssetRows(
  db: Kysely<FlowDatabase>,
  flowId: string,
  after: number,
  limit: number,
): Promise<AssetViewRow[]> {
  return (await db
    .selectFrom("assets")
    .select(ASSET_VIEW_COLUMNS)
    .where("flow_id", "=", flowId)
    .where("row_number", ">", after)
    .where("duplicate_of", "is", null)
    .orderBy("row_number")
    .limit(limit)
    .execute()) as AssetViewRow[];
}

/** How many assets the flow has, duplicates left out. */
export async function countAssets(db: Kysely<FlowDatabase>, flowId: string): Promise<number> {
  const row = await db
    .selectFrom("assets")
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .where("flow_id", "=", flowId)
    .where("duplicate_of", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * Every asset of the flow, one keyset page of `pageSize` at a time, so memory stays bounded
 * however large the inventory; the next page is read only when the consumer asks for it.
 */
export async function* assetRowPages(
  db: Kysely<FlowDatabase>,
  flowId: string,
  pageSize = 1_000,
): AsyncGenerator<AssetViewRow[]> {
  let after = 0;
  for (;;) {
    const rows = await selectAssetRows(db, flowId, after, pageSize);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || !last) return;
    after = last.row_number;
  }
}

/** The custom attribute keys used by any asset of the flow, sorted; the export's extra columns. */
export async function customAttributeKeys(db: Kysely<FlowDatabase>, flowId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("assets")
    .select(sql<string>`jsonb_object_keys(data -> 'custom_attributes')`.as("key"))
    .distinct()
    .where("flow_id", "=", flowId)
    .where("duplicate_of", "is", null)
    .where(sql`jsonb_typeof(data -> 'custom_attributes')`, "=", "object")
    .execute();
  return rows.map((row) => row.key).sort();
}
