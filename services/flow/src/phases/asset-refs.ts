import { type Kysely, sql } from "@migrate/db";
import type { FlowDatabase } from "../db/flow-database.ts";

/**
 * The identity and grouping facts of every asset that is not a duplicate, as the JSON array of
 * agent.v1.AssetRef the whole-flow agent calls take. PostgreSQL builds the text; this process
 * only passes it on, so its memory does not grow with the estate.
 */
export async function assetRefsJson(db: Kysely<FlowDatabase>, flowId: string): Promise<string> {
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
    where flow_id = ${flowId} and duplicate_of is null`.execute(db);
  return rows[0]?.refs ?? "[]";
}
