import { type Kysely, sql } from "@migrate/db";
import type { FlowDatabase } from "../db/flow-database.ts";

/** Rows per JSON chunk (one stream message) of a whole-flow call: a few megabytes. */
export const JSON_CHUNK_ROWS = 10_000;

/**
 * The identity and grouping facts of every asset that is not a duplicate, as the JSON arrays of
 * agent.v1.AssetRef the whole-flow agent calls take, one per range of row numbers, read as the
 * call's stream asks for them. PostgreSQL builds the text; this process only passes it on.
 */
export async function* assetRefChunks(db: Kysely<FlowDatabase>, flowId: string, lastRow: number) {
  for (let after = 0; after < lastRow; after += JSON_CHUNK_ROWS) {
    const { rows } = await sql<{ refs: string }>`
      select coalesce(json_agg(json_build_object(
          'row_number', row_number,
          'asset_name', asset_name,
          'hostname', hostname,
          'fqdn', coalesce(data->>'fqdn', ''),
          'ip_addresses', coalesce(data->'ip_addresses', '[]'),
          'application_name', coalesce(data->>'application_name', ''),
          'tags', coalesce(data->'tags', '{}')
        ) order by row_number), '[]')::text as refs
      from assets
      where flow_id = ${flowId} and duplicate_of is null
        and row_number > ${after} and row_number <= ${after + JSON_CHUNK_ROWS}`.execute(db);
    yield rows[0]?.refs ?? "[]";
  }
}
