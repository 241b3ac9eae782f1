import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Kysely, sql } from "@migrate/db";
import type { CountSchema, GetReportResponseSchema } from "@migrate/gen/flow/v1/flow_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { type FlowRow, toFlowMessage } from "../flows/flow-row.ts";

type CountInit = MessageInitShape<typeof CountSchema>;
type Dimension = "asset_type" | "environment" | "os_family" | "strategy";

interface AssetSummary {
  assets: number;
  duplicates: number;
  quality: number | null;
  by: Record<Dimension, CountInit[]>;
}

// Most frequent first; ties by key, so the report reads the same on every call.
function sorted(counts: Array<{ key: string; count: number }>): CountInit[] {
  return counts
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, count }) => ({ key, count: BigInt(count) }));
}

// Every query below is confined to a flow id that getFlow already resolved within the tenant.

/**
 * One scan of the flow's assets: the four breakdowns (an empty value counts as "unknown") and,
 * in the grand-total row, the counts and mean quality. Duplicates count only as duplicates.
 */
async function assetSummary(db: Kysely<FlowDatabase>, flowId: string): Promise<AssetSummary> {
  const { rows } = await sql<{
    dimension: Dimension | "total";
    key: string | null;
    count: number;
    duplicates: number;
    quality: number | null;
  }>`
    select case when grouping(asset_type) = 0 then 'asset_type'
                when grouping(environment) = 0 then 'environment'
                when grouping(os_family) = 0 then 'os_family'
                when grouping(strategy) = 0 then 'strategy'
                else 'total' end as dimension,
           coalesce(asset_type, environment, os_family, strategy) as key,
           count(*) filter (where not duplicate) as count,
           count(*) filter (where duplicate) as duplicates,
           avg(quality) filter (where not duplicate) as quality
    from (
      select coalesce(nullif(asset_type, ''), 'unknown') as asset_type,
             coalesce(nullif(environment, ''), 'unknown') as environment,
             coalesce(nullif(os_family, ''), 'unknown') as os_family,
             coalesce(nullif(strategy, ''), 'unknown') as strategy,
             duplicate_of is not null as duplicate,
             quality
      from assets where flow_id = ${flowId}
    ) as a
    group by grouping sets ((asset_type), (environment), (os_family), (strategy), ())`.execute(db);
  const by: Record<Dimension, Array<{ key: string; count: number }>> = {
    asset_type: [],
    environment: [],
    os_family: [],
    strategy: [],
  };
  const summary = { assets: 0, duplicates: 0, quality: null as number | null };
  for (const row of rows) {
    if (row.dimension === "total") {
      summary.assets = Number(row.count);
      summary.duplicates = Number(row.duplicates);
      summary.quality = row.quality;
    } else if (Number(row.count) > 0) {
      // A value seen only on duplicates is not part of the inventory.
      by[row.dimension].push({ key: row.key ?? "unknown", count: Number(row.count) });
    }
  }
  return {
    ...summary,
    by: {
      asset_type: sorted(by.asset_type),
      environment: sorted(by.environment),
      os_family: sorted(by.os_family),
      strategy: sorted(by.strategy),
    },
  };
}

async function otherCounts(db: Kysely<FlowDatabase>, flowId: string) {
  const { rows } = await sql<{ dependencies: number; waves: number }>`
    select (select count(*) from dependencies where flow_id = ${flowId}) as dependencies,
           (select count(*) from waves where flow_id = ${flowId}) as waves`.execute(db);
  return { dependencies: Number(rows[0]?.dependencies ?? 0), waves: Number(rows[0]?.waves ?? 0) };
}

async function applicationStrategies(db: Kysely<FlowDatabase>, flowId: string) {
  const { rows } = await sql<{ key: string; count: number }>`
    select coalesce(nullif(strategy ->> 'strategy', ''), 'unknown') as key, count(*) as count
    from applications where flow_id = ${flowId} group by 1`.execute(db);
  const counts = rows.map((row) => ({ key: row.key, count: Number(row.count) }));
  return { total: counts.reduce((sum, c) => sum + c.count, 0), counts: sorted(counts) };
}

async function issueCounts(db: Kysely<FlowDatabase>, flowId: string) {
  const { rows } = await sql<{ key: string; count: number; open: number }>`
    select code as key, count(*) as count, count(*) filter (where severity in ('warning', 'error')) as open
    from issues where flow_id = ${flowId} group by code`.execute(db);
  const counts = rows.map((row) => ({ key: row.key, count: Number(row.count) }));
  return { open: rows.reduce((sum, row) => sum + Number(row.open), 0), counts: sorted(counts) };
}

// Before the inventory exists, the validation's row scores are the best measure of quality: the
// phase keeps their sum and count in its checkpoint.
async function rawQuality(db: Kysely<FlowDatabase>, flowId: string): Promise<number | null> {
  const { rows } = await sql<{ quality: number | null }>`
    select (checkpoint->>'quality_sum')::float8 / nullif((checkpoint->>'quality_rows')::float8, 0) as quality
    from flow_phases where flow_id = ${flowId} and phase = 'data_validation'`.execute(db);
  return rows[0]?.quality ?? null;
}

/** The flow's summary, from a handful of aggregate queries run side by side. */
export async function buildFlowReport(
  db: Kysely<FlowDatabase>,
  flow: FlowRow,
): Promise<MessageInitShape<typeof GetReportResponseSchema>> {
  const [assets, others, apps, issues] = await Promise.all([
    assetSummary(db, flow.id),
    otherCounts(db, flow.id),
    applicationStrategies(db, flow.id),
    issueCounts(db, flow.id),
  ]);
  const quality = assets.assets + assets.duplicates > 0 ? assets.quality : await rawQuality(db, flow.id);
  return {
    flow: toFlowMessage(flow),
    assetCount: BigInt(assets.assets),
    duplicateCount: BigInt(assets.duplicates),
    applicationCount: BigInt(apps.total),
    dependencyCount: BigInt(others.dependencies),
    waveCount: others.waves,
    byAssetType: assets.by.asset_type,
    byEnvironment: assets.by.environment,
    byOsFamily: assets.by.os_family,
    byStrategy: assets.by.strategy,
    applicationStrategies: apps.counts,
    dataQuality: quality ?? 0,
    issuesByCode: issues.counts,
    openIssueCount: BigInt(issues.open),
  };
}
