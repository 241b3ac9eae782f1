import { create } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import { type Issue, IssueSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { PhaseDefinition } from "./phase-definition.ts";
import { replaceIssues } from "./replace-issues.ts";

/** Finds records that describe the same asset; the lowest row of each group is the asset, the rest point at it. */
export const assetInventory: PhaseDefinition = {
  name: "asset_inventory",
  weight: 5,
  async run(ctx) {
    const flowId = ctx.flow.id;
    const keys = await ctx.db
      .selectFrom("assets")
      .select([
        "row_number",
        sql<string>`coalesce(data->>'external_id', '')`.as("external_id"),
        sql<string>`coalesce(data->>'hostname', '')`.as("hostname"),
        sql<string>`coalesce(data->>'vm_uuid', '')`.as("vm_uuid"),
      ])
      .where("flow_id", "=", flowId)
      .orderBy("row_number")
      .execute();
    const { groups } = await ctx.call("FindDuplicates", (agent, options) =>
      agent.findDuplicates(
        {
          flowId,
          keys: keys.map((k) => ({
            rowNumber: BigInt(k.row_number),
            externalId: k.external_id,
            hostname: k.hostname,
            vmUuid: k.vm_uuid,
          })),
        },
        options,
      ),
    );
    const duplicateRows: number[] = [];
    const keptRows: number[] = [];
    const issues: Issue[] = [];
    for (const group of groups) {
      for (const duplicate of group.duplicateRowNumbers) {
        duplicateRows.push(Number(duplicate));
        keptRows.push(Number(group.keepRowNumber));
        issues.push(
          create(IssueSchema, {
            rowNumber: duplicate,
            field: group.matchedOn,
            severity: "info",
            code: "duplicate_asset",
            message: `row ${duplicate} describes the same asset as row ${group.keepRowNumber} (same ${group.matchedOn}); kept once`,
          }),
        );
      }
    }
    const assetCount = keys.length - duplicateRows.length;
    await ctx.commit({ processed: keys.length, total: keys.length }, async (trx) => {
      // Only rows that were marked by an earlier run: an update rewrites the whole row.
      await trx
        .updateTable("assets")
        .set({ duplicate_of: null })
        .where("flow_id", "=", flowId)
        .where("duplicate_of", "is not", null)
        .execute();
      if (duplicateRows.length) {
        // A duplicate gets no strategy of its own (its original has it), even when one was
        // recommended with its cleansing.
        await sql`update assets a set duplicate_of = d.kept, strategy = null, strategy_detail = null
          from unnest(${duplicateRows}::int[], ${keptRows}::int[]) as d(row_number, kept)
          where a.flow_id = ${flowId} and a.row_number = d.row_number`.execute(trx);
      }
      await replaceIssues(trx, flowId, "asset_inventory", "all", issues);
      await trx.updateTable("flows").set({ asset_count: assetCount }).where("id", "=", flowId).execute();
    });
    ctx.flow.asset_count = assetCount;
    return { status: "completed", counts: { assets: assetCount, duplicates: duplicateRows.length } };
  },
};
