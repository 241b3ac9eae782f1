import { sql } from "@migrate/db";
import type { PhaseContext } from "../engine/phase-context.ts";
import { assetRefChunks, JSON_CHUNK_ROWS } from "./asset-refs.ts";
import type { PhaseDefinition } from "./phase-definition.ts";

const INSERT_ROWS = 1_000;

/** Groups the assets into applications (application column, naming, tags, dependency graph). */
export const applicationDiscovery: PhaseDefinition = {
  name: "application_discovery",
  weight: 10,
  async run(ctx) {
    const flowId = ctx.flow.id;
    // A retried call starts the stream again from the first chunk.
    const result = await ctx.call("DiscoverApplications", (agent, options) =>
      agent.discoverApplications(discoveryRequests(ctx), options),
    );
    const memberRows: number[] = [];
    const memberKeys: string[] = [];
    for (const application of result.applications) {
      for (const row of application.assetRowNumbers) {
        memberRows.push(Number(row));
        memberKeys.push(application.key);
      }
    }
    const applications = result.applications.map((a) => ({
      flow_id: flowId,
      key: a.key,
      name: a.name,
      method: a.method,
      confidence: a.confidence,
      reason: a.reason,
      asset_count: a.assetRowNumbers.length,
    }));
    const edges = result.applicationEdges.map((e) => ({
      flow_id: flowId,
      source_key: e.sourceKey,
      target_key: e.targetKey,
      edge_count: e.edgeCount,
      service_kinds: JSON.stringify(e.serviceKinds),
    }));
    const assetCount = ctx.flow.asset_count;
    await ctx.commit({ processed: assetCount, total: assetCount }, async (trx) => {
      await trx.deleteFrom("application_edges").where("flow_id", "=", flowId).execute();
      await trx.deleteFrom("applications").where("flow_id", "=", flowId).execute();
      for (let at = 0; at < applications.length; at += INSERT_ROWS) {
        await trx
          .insertInto("applications")
          .values(applications.slice(at, at + INSERT_ROWS))
          .execute();
      }
      for (let at = 0; at < edges.length; at += INSERT_ROWS) {
        await trx
          .insertInto("application_edges")
          .values(edges.slice(at, at + INSERT_ROWS))
          .execute();
      }
      // An update rewrites the whole row, document and all: the reset touches only rows keyed by
      // an earlier run (a retry); on a first run there are none.
      await trx
        .updateTable("assets")
        .set({ application_key: null })
        .where("flow_id", "=", flowId)
        .where("application_key", "is not", null)
        .execute();
      await sql`update assets a set application_key = m.key
        from unnest(${memberRows}::int[], ${memberKeys}::text[]) as m(row_number, key)
        where a.flow_id = ${flowId} and a.row_number = m.row_number`.execute(trx);
      await trx.updateTable("flows").set({ application_count: applications.length }).where("id", "=", flowId).execute();
    });
    ctx.flow.application_count = applications.length;
    return {
      status: "completed",
      counts: { applications: applications.length, application_edges: edges.length, assets: memberRows.length },
    };
  },
};

/** The stream of one DiscoverApplications call: every asset chunk, then every edge chunk. */
async function* discoveryRequests(ctx: PhaseContext) {
  const flowId = ctx.flow.id;
  for await (const refs of assetRefChunks(ctx.db, flowId, ctx.flow.raw_record_count)) {
    yield { flowId, assetsJson: [refs] };
  }
  // Edge ids run 1..n: JSON chunks of them until one comes back empty.
  for (let after = 0; ; after += JSON_CHUNK_ROWS) {
    const { rows } = await sql<{ edges: string | null }>`
      select json_agg(json_build_object(
          'source_row_number', source_row_number, 'source_label', source_label,
          'target_row_number', target_row_number, 'target_label', target_label, 'port', port,
          'protocol', protocol, 'service_kind', service_kind, 'connection_count', connection_count,
          'external', external
        ) order by id)::text as edges
      from dependencies where flow_id = ${flowId} and id > ${after} and id <= ${after + JSON_CHUNK_ROWS}`.execute(
      ctx.db,
    );
    if (!rows[0]?.edges) return;
    yield { flowId, edgesJson: [rows[0].edges] };
  }
}
