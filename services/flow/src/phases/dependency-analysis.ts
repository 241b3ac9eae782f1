import { sql, type Transaction } from "@migrate/db";
import type { Issue } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { inBatchSpan } from "../engine/batch-span.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import { assetRefsJson, JSON_CHUNK_ROWS } from "./asset-refs.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { replaceIssues } from "./replace-issues.ts";

// Connections per AnalyzeDependencies call. Every call carries all the asset refs, so calls are
// few and large (a connections file of up to 200,000 rows is one call); the agent takes up to
// 500,000 items per list and 64 MiB per message.
const CONNECTIONS_PER_CALL = 200_000;

/** Server-to-server edges from the connections file; skipped when the flow has none. */
export const dependencyAnalysis: PhaseDefinition = {
  name: "dependency_analysis",
  weight: 10,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const total = ctx.flow.connection_count;
    if (total === 0) return { status: "skipped", reason: "no connections file was uploaded" };
    const assetsJson = await assetRefsJson(ctx.db, flowId, ctx.flow.raw_record_count);
    // Each call's edges stay the text the agent sent until PostgreSQL merges and stores them.
    const edgeLists: string[] = [];
    const issues: Issue[] = [];
    let processed = 0;
    for (let after = 0; after < total; after += CONNECTIONS_PER_CALL) {
      const last = Math.min(total, after + CONNECTIONS_PER_CALL);
      const { connections, count } = await connectionsJson(ctx, after, last);
      const batch = {
        "flow.batch.first_row": after + 1,
        "flow.batch.last_row": last,
        "flow.batch.records": count,
      };
      const answer = await inBatchSpan(batch, async () => {
        const answer = await ctx.call("AnalyzeDependencies", (agent, options) =>
          agent.analyzeDependencies({ flowId, assetsJson, connectionsJson: connections }, options),
        );
        processed += count;
        // Progress only: the edges of a file are stored together below, in one transaction.
        if (processed < total) await ctx.commit({ processed, total });
        return { answer, counts: { "flow.batch.issues": answer.issues.length } };
      });
      edgeLists.push(answer.answer.edgesJson || "[]");
      issues.push(...answer.answer.issues);
    }
    const stored = await ctx.commit({ processed, total }, async (trx) => {
      await trx.deleteFrom("dependencies").where("flow_id", "=", flowId).execute();
      await replaceIssues(trx, flowId, "dependency_analysis", "all", issues);
      return storeEdges(trx, flowId, edgeLists);
    });
    return {
      status: "completed",
      counts: { connections: processed, dependencies: stored.edges, external: stored.external, issues: issues.length },
    };
  },
};

/** Connection rows after `after` up to `last`, as JSON arrays of agent.v1.Connection, one per chunk. */
async function connectionsJson(ctx: PhaseContext, after: number, last: number) {
  const connections: string[] = [];
  let count = 0;
  for (let from = after; from < last; from += JSON_CHUNK_ROWS) {
    const { rows } = await sql<{ connections: string; count: number }>`
      select coalesce(json_agg(json_build_object(
          'row_number', row_number, 'source', source, 'destination', destination,
          'port', coalesce(port, 0), 'protocol', protocol
        ) order by row_number), '[]')::text as connections, count(*)::int as count
      from connections_raw
      where flow_id = ${ctx.flow.id} and row_number > ${from}
        and row_number <= ${Math.min(last, from + JSON_CHUNK_ROWS)}`.execute(ctx.db);
    connections.push(rows[0]?.connections ?? "[]");
    count += rows[0]?.count ?? 0;
  }
  return { connections, count };
}

/**
 * Stores the edges of every call as one set: the same endpoints, port and protocol found by
 * different calls are one edge with their counts summed (an endpoint outside the inventory is
 * told apart by its label). Ids follow first appearance.
 */
async function storeEdges(trx: Transaction<FlowDatabase>, flowId: string, edgeLists: readonly string[]) {
  const { rows } = await sql<{ edges: number; external: number }>`
    with found as (
      select e.*, list.ord * 1000000000 + item.ord as seen
      from jsonb_array_elements(${`[${edgeLists.join(",")}]`}::jsonb) with ordinality as list(edges, ord),
        jsonb_array_elements(list.edges) with ordinality as item(edge, ord),
        jsonb_to_record(item.edge) as e(source_row_number integer, source_label text, target_row_number integer,
          target_label text, port integer, protocol text, service_kind text, connection_count integer, external boolean)
    ), merged as (
      select min(source_label) as source_label, min(target_label) as target_label, source_row_number,
        target_row_number, port, protocol, min(service_kind) as service_kind,
        sum(connection_count)::int as connection_count, bool_or(external) as external, min(seen) as seen
      from found
      group by source_row_number, case when source_row_number = 0 then source_label else '' end,
        target_row_number, case when target_row_number = 0 then target_label else '' end, port, protocol
    ), inserted as (
      insert into dependencies (flow_id, id, source_row_number, source_label, target_row_number, target_label,
        port, protocol, service_kind, connection_count, external)
      select ${flowId}, row_number() over (order by seen), source_row_number, source_label, target_row_number,
        target_label, port, protocol, coalesce(nullif(service_kind, ''), 'unknown'), connection_count, external
      from merged
      returning external
    )
    select count(*)::int as edges, count(*) filter (where external)::int as external from inserted`.execute(trx);
  return rows[0] ?? { edges: 0, external: 0 };
}
