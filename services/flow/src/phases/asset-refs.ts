import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Kysely, sql } from "@migrate/db";
import type { AssetRefSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";

export type AssetRefInit = MessageInitShape<typeof AssetRefSchema>;

/** The identity and grouping facts of every asset that is not a duplicate, for whole-flow agent calls. */
export async function assetRefs(db: Kysely<FlowDatabase>, flowId: string): Promise<AssetRefInit[]> {
  const rows = await db
    .selectFrom("assets")
    .select([
      "row_number",
      "asset_name",
      "hostname",
      sql<string>`coalesce(data->>'fqdn', '')`.as("fqdn"),
      sql<string[] | null>`data->'ip_addresses'`.as("ip_addresses"),
      sql<string>`coalesce(data->>'application_name', '')`.as("application_name"),
      sql<Record<string, string> | null>`data->'tags'`.as("tags"),
    ])
    .where("flow_id", "=", flowId)
    .where("duplicate_of", "is", null)
    .orderBy("row_number")
    .execute();
  return rows.map((row) => ({
    rowNumber: BigInt(row.row_number),
    assetName: row.asset_name,
    hostname: row.hostname,
    fqdn: row.fqdn,
    ipAddresses: Array.isArray(row.ip_addresses) ? row.ip_addresses : [],
    applicationName: row.application_name,
    tags: row.tags && typeof row.tags === "object" ? row.tags : {},
  }));
}
