import { sql, type Transaction } from "@migrate/db";
import type { Issue } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { inBatchSpan } from "../engine/batch-span.ts";
import type { PhaseContext } from "../engine/phase-context.ts";
import { assetRefChunks, JSON_CHUNK_ROWS } from "./asset-refs.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { replaceIssues } from "./replace-issues.ts";

/**
 * Server-to-server edges from the connections file; skipped when the flow has none. One
 * AnalyzeDependencies stream carries every asset chunk, then every connection chunk, read from
 * PostgreSQL as the stream drains, so neither service holds the estate as one message.
 */
export const dependencyAnalysis: PhaseDefinition = {
  name: "dependency_analysis",
  weight: 10,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const total = ctx.flow.connection_count;
    if (total === 0) return { status: "skipped", reason: "no connections file was uploaded" };
    const batch = { "flow.batch.first_row": 1, "flow.batch.last_row": total, "flow.batch.records": total };
    const { answer } = await inBatchSpan(batch, async () => {
      // A retried call starts the stream again from the first chunk: the agent keeps nothing.
      const answer = await ctx.call("AnalyzeDependencies", async (agent, options) => {
        // Each chunk of edges stays the text the agent sent until PostgreSQL stores it.
        const edgeChunks: string[] = [];
        const issues: Issue[] = [];
        for await (const message of agent.analyzeDependencies(analysisRequests(ctx), options)) {
          edgeChunks.push(message.edgesJson || "[]");
          issues.push(...message.issues);
        }
        return { edgeChunks, issues };
      });
      return { answer, counts: { "flow.batch.issues": answer.issues.length } };
    });
    const stored = await ctx.commit({ processed: total, total }, async (trx) => {
      await trx.deleteFrom("dependencies").where("flow_id", "=", flowId).execute();
      await replaceIssues(trx, flowId, "dependency_analysis", "all", answer.issues);
      return storeEdges(trx, flowId, answer.edgeChunks);
    });
    return {
      status: "completed",
      counts: {
        connections: total,
        dependencies: stored.edges,
        external: stored.external,
        issues: answer.issues.length,
      },
    };
  },
};

/**
 * The stream of one AnalyzeDependencies call: every asset chunk, then every connection chunk,
 * with the phase's progress saved as connections go out (edges are stored together at the end).
 */
async function* analysisRequests(ctx: PhaseContext) {
  const flowId = ctx.flow.id;
  for await (const refs of assetRefChunks(ctx.db, flowId, ctx.flow.raw_record_count)) {
    yield { flowId, assetsJson: [refs] };
  }
  const total = ctx.flow.connection_count;
  for (let after = 0; after < total; after += JSON_CHUNK_ROWS) {
    const last = Math.min(total, after + JSON_CHUNK_ROWS);
    const { rows } = await sql<{ connections: string }>`
      select coalesce(json_agg(json_build_object(
          'row_number', row_number, 'source', source, 'destination', destination,
          'port', coalesce(port, 0), 'protocol', protocol
        ) order by row_number), '[]')::text as connections
      from connections_raw
      where flow_id = ${flowId} and row_number > ${after} and row_number <= ${last}`.execute(ctx.db);
    yield { flowId, connectionsJson: [rows[0]?.connections ?? "[]"] };
    if (last < total) await ctx.commit({ processed: last, total });
  }
}

/**
 * Stores the edges of the call, chunk by chunk, ids following the agent's order (the first
 * appearance of each edge in the file). The agent has already counted identical connections
 * into one edge; an endpoint outside the inventory has row 0 and its label.
 */
async function storeEdges(trx: Transaction<FlowDatabase>, flowId: string, edgeChunks: readonly string[]) {
  let edges = 0;
  let external = 0;
  for (const chunk of edgeChunks) {
    const { rows } = await sql<{ edges: number; external: number }>`
      with inserted as (
        insert into dependencies (flow_id, id, source_row_number, source_label, target_row_number, target_label,
          port, protocol, service_kind, connection_count, external)
        select ${flowId}, ${edges} + e.ord, e.source_row_number, e.source_label, e.target_row_number,
          e.target_label, e.port, e.protocol, coalesce(nullif(e.service_kind, ''), 'unknown'), e.connection_count,
          e.external
        -- One pass over the chunk (a fifth faster than taking it apart element by element).
        from rows from (json_to_recordset(${chunk}::json) as (source_row_number integer, source_label text,
            target_row_number integer, target_label text, port integer, protocol text, service_kind text,
            connection_count integer, external boolean)) with ordinality
          as e(source_row_number, source_label, target_row_number, target_label, port, protocol, service_kind,
            connection_count, external, ord)
        returning external
      )
      select count(*)::int as edges, count(*) filter (where external)::int as external from inserted`.execute(trx);
    edges += rows[0]?.edges ?? 0;
    external += rows[0]?.external ?? 0;
  }
  return { edges, external };
}
