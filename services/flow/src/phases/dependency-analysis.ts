import type { DependencyEdge, Issue } from "@migrate/gen/agent/v1/agent_pb";
import { inBatchSpan } from "../engine/batch-span.ts";
import { assetRefs } from "./asset-refs.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { replaceIssues } from "./replace-issues.ts";

// Connections per AnalyzeDependencies call. Every call carries all the asset refs, so calls are
// few and large (a 10,000-server estate's file is one call); the agent takes up to 500,000
// items per list and 64 MiB per message.
const CONNECTIONS_PER_CALL = 100_000;
const INSERT_ROWS = 1_000;

/** Server-to-server edges from the connections file; skipped when the flow has none. */
export const dependencyAnalysis: PhaseDefinition = {
  name: "dependency_analysis",
  weight: 10,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const total = ctx.flow.connection_count;
    if (total === 0) return { status: "skipped", reason: "no connections file was uploaded" };
    const assets = await assetRefs(ctx.db, flowId);
    const edges = new Map<string, DependencyEdge>();
    const issues: Issue[] = [];
    let processed = 0;
    for (let after = 0; ; ) {
      const connections = await ctx.db
        .selectFrom("connections_raw")
        .select(["row_number", "source", "destination", "port", "protocol"])
        .where("flow_id", "=", flowId)
        .where("row_number", ">", after)
        .orderBy("row_number")
        .limit(CONNECTIONS_PER_CALL)
        .execute();
      if (connections.length === 0) break;
      const first = connections[0]?.row_number ?? after;
      after = connections[connections.length - 1]?.row_number ?? after;
      const batch = {
        "flow.batch.first_row": first,
        "flow.batch.last_row": after,
        "flow.batch.records": connections.length,
      };
      const result = await inBatchSpan(batch, async () => {
        const answer = await ctx.call("AnalyzeDependencies", (agent, options) =>
          agent.analyzeDependencies(
            {
              flowId,
              assets,
              connections: connections.map((c) => ({
                rowNumber: BigInt(c.row_number),
                source: c.source,
                destination: c.destination,
                port: c.port ?? 0,
                protocol: c.protocol,
              })),
            },
            options,
          ),
        );
        processed += connections.length;
        // Progress only: the edges of a file are stored together below, in one transaction.
        if (processed < total) await ctx.commit({ processed, total });
        return {
          answer,
          counts: { "flow.batch.edges": answer.edges.length, "flow.batch.issues": answer.issues.length },
        };
      });
      mergeEdges(edges, result.answer.edges);
      issues.push(...result.answer.issues);
    }
    const rows = [...edges.values()].map((edge, index) => ({
      flow_id: flowId,
      id: index + 1,
      source_row_number: Number(edge.sourceRowNumber),
      source_label: edge.sourceLabel,
      target_row_number: Number(edge.targetRowNumber),
      target_label: edge.targetLabel,
      port: edge.port,
      protocol: edge.protocol,
      service_kind: edge.serviceKind || "unknown",
      connection_count: edge.connectionCount,
      external: edge.external,
    }));
    await ctx.commit({ processed, total }, async (trx) => {
      await trx.deleteFrom("dependencies").where("flow_id", "=", flowId).execute();
      for (let at = 0; at < rows.length; at += INSERT_ROWS) {
        await trx
          .insertInto("dependencies")
          .values(rows.slice(at, at + INSERT_ROWS))
          .execute();
      }
      await replaceIssues(trx, flowId, "dependency_analysis", "all", issues);
    });
    const external = rows.filter((row) => row.external).length;
    return {
      status: "completed",
      counts: { connections: processed, dependencies: rows.length, external, issues: issues.length },
    };
  },
};

/** The same endpoints, port and protocol from different calls are one edge with their counts summed. */
function mergeEdges(edges: Map<string, DependencyEdge>, found: readonly DependencyEdge[]): void {
  for (const edge of found) {
    const key = [
      edge.sourceRowNumber,
      edge.sourceRowNumber ? "" : edge.sourceLabel,
      edge.targetRowNumber,
      edge.targetRowNumber ? "" : edge.targetLabel,
      edge.port,
      edge.protocol,
    ].join("\u0000");
    const existing = edges.get(key);
    if (existing) existing.connectionCount += edge.connectionCount;
    else edges.set(key, edge);
  }
}
