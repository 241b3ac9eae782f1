import { type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { sql } from "@migrate/db";
import { ApplicationStrategySchema, type StrategyRecommendationSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { PhaseContext } from "../engine/phase-context.ts";

type StrategyRecommendationInit = MessageInitShape<typeof StrategyRecommendationSchema>;

/**
 * Rolls the asset strategies up per application and plans the waves; stores the application
 * strategies, the waves and each asset's wave (its application's) in one transaction.
 */
export async function planMigration(ctx: PhaseContext): Promise<{ waves: number; applications: number }> {
  const flowId = ctx.flow.id;
  const applications = await ctx.db
    .selectFrom("applications")
    .select(["key", "name", "method", "confidence", "reason"])
    .where("flow_id", "=", flowId)
    .orderBy("key")
    .execute();
  // Only what the roll-up reads of each member's recommendation: not its rationale or factors.
  const members = await ctx.db
    .selectFrom("assets")
    .select([
      "row_number",
      "application_key",
      "strategy",
      sql<number>`coalesce((strategy_detail->>'confidence')::float8, 0)`.as("confidence"),
      sql<string>`coalesce(strategy_detail->>'criticality', '')`.as("criticality"),
      sql<string[]>`coalesce(strategy_detail->'missing_data', '[]')`.as("missing_data"),
    ])
    .where("flow_id", "=", flowId)
    .where("duplicate_of", "is", null)
    .where("application_key", "is not", null)
    .orderBy("row_number")
    .execute();
  const edges = await ctx.db
    .selectFrom("application_edges")
    .select(["source_key", "target_key", "edge_count", "service_kinds"])
    .where("flow_id", "=", flowId)
    .execute();
  const byApplication = new Map<string, { rows: bigint[]; strategies: StrategyRecommendationInit[] }>(
    applications.map((a) => [a.key, { rows: [], strategies: [] }]),
  );
  for (const member of members) {
    const entry = byApplication.get(member.application_key ?? "");
    if (!entry) continue;
    entry.rows.push(BigInt(member.row_number));
    if (member.strategy) {
      entry.strategies.push({
        rowNumber: BigInt(member.row_number),
        strategy: member.strategy,
        confidence: member.confidence,
        criticality: member.criticality,
        missingData: member.missing_data,
      });
    }
  }
  const result = await ctx.call("PlanMigration", (agent, options) =>
    agent.planMigration(
      {
        flowId,
        applications: applications.map((a) => ({
          application: { ...a, assetRowNumbers: byApplication.get(a.key)?.rows ?? [] },
          memberStrategies: byApplication.get(a.key)?.strategies ?? [],
        })),
        applicationEdges: edges.map((e) => ({
          sourceKey: e.source_key,
          targetKey: e.target_key,
          edgeCount: e.edge_count,
          serviceKinds: e.service_kinds,
        })),
      },
      options,
    ),
  );
  const strategyKeys = result.applicationStrategies.map((s) => s.applicationKey);
  const strategyJson = result.applicationStrategies.map((s) =>
    JSON.stringify(toJson(ApplicationStrategySchema, s, { useProtoFieldName: true })),
  );
  const waveKeys: string[] = [];
  const waveNumbers: number[] = [];
  for (const wave of result.waves) {
    for (const key of wave.applicationKeys) {
      waveKeys.push(key);
      waveNumbers.push(wave.number);
    }
  }
  await ctx.commit({ processed: ctx.total, total: ctx.total }, async (trx) => {
    await trx.updateTable("applications").set({ strategy: null, wave: null }).where("flow_id", "=", flowId).execute();
    await sql`update applications a set strategy = s.strategy
      from unnest(${strategyKeys}::text[], ${strategyJson}::jsonb[]) as s(key, strategy)
      where a.flow_id = ${flowId} and a.key = s.key`.execute(trx);
    await sql`update applications a set wave = w.wave
      from unnest(${waveKeys}::text[], ${waveNumbers}::int[]) as w(key, wave)
      where a.flow_id = ${flowId} and a.key = w.key`.execute(trx);
    await trx.deleteFrom("waves").where("flow_id", "=", flowId).execute();
    if (result.waves.length) {
      await trx
        .insertInto("waves")
        .values(
          result.waves.map((wave) => ({
            flow_id: flowId,
            number: wave.number,
            application_keys: JSON.stringify(wave.applicationKeys),
            rationale: wave.rationale,
          })),
        )
        .execute();
    }
  });
  return { waves: result.waves.length, applications: applications.length };
}
