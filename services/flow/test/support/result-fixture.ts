import { create, toJson } from "@bufbuild/protobuf";
import { type Kysely, sql } from "@migrate/db";
import { AssetSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../../src/db/flow-database.ts";

export const EVIL = "=cmd|' /C calc'!A0";

/** One asset row of the fixture, as the test expects to read it back. */
export interface FixtureAsset {
  row: number;
  hostname: string;
  assetName: string;
  assetType: string;
  environment: string;
  osFamily: string;
  ipAddresses: string[];
  tags: Record<string, string>;
  custom: Record<string, string>;
  cpuCores?: number;
  duplicateOf: number | null;
  applicationKey: string | null;
  strategy: string | null;
  wave: number | null;
  quality: number;
}

export interface Fixture {
  assets: FixtureAsset[];
  applications: Array<{ key: string; strategy: string | null; wave: number }>;
  dependencyCount: number;
  waveOrder: number[];
  issues: Array<{ severity: "info" | "warning" | "error"; code: string }>;
}

const TYPES = ["server", "virtual_machine", "database", ""];
const ENVIRONMENTS = ["production", "test", "", "development", "production"];
const OS = ["windows", "linux", "linux", ""];
const STRATEGIES = ["rehost", "replatform", "retire", null, "rehost", ""];
const APP_STRATEGIES = ["rehost", "rehost", "refactor", "retain", null];
const CODES = ["missing_identity", "invalid_number", "duplicate", "personal_data", "out_of_range"];
const SEVERITIES = ["info", "warning", "error", "warning"] as const;

/** 260 assets (every 26th a duplicate), 5 applications, 30 dependencies, 3 waves, 40 issues. */
export function buildFixture(): Fixture {
  const assets: FixtureAsset[] = [];
  for (let i = 1; i <= 260; i++) {
    const app = i % 6 < 5 ? i % 6 : null;
    const custom: Record<string, string> = {};
    if (i % 2 === 0) custom.rack = `r${i % 9}`;
    if (i % 7 === 0) custom.balance = "-42";
    if (i === 3) custom.note = EVIL;
    if (i === 4) custom.note = 'two\nlines, "quoted"';
    assets.push({
      row: i,
      hostname: `host-${i}`,
      assetName: i === 5 ? "+1-800 support" : `Asset ${i}`,
      assetType: TYPES[i % TYPES.length] ?? "",
      environment: ENVIRONMENTS[i % ENVIRONMENTS.length] ?? "",
      osFamily: OS[i % OS.length] ?? "",
      ipAddresses: [`10.0.${Math.floor(i / 250)}.${i % 250}`, `fe80::${i}`],
      tags: { team: i % 2 ? "ops" : "dev", tier: String(i % 3) },
      custom,
      cpuCores: i % 5 === 0 ? undefined : (i % 16) + 1,
      duplicateOf: i % 26 === 0 ? i - 1 : null,
      applicationKey: app === null ? null : `app-${app}`,
      strategy: STRATEGIES[i % STRATEGIES.length] ?? null,
      wave: app === null ? null : (app % 3) + 1,
      quality: (i % 10) / 10,
    });
  }
  const issues = Array.from({ length: 40 }, (_, i) => ({
    severity: SEVERITIES[i % SEVERITIES.length] ?? "info",
    code: CODES[i % CODES.length] ?? "duplicate",
  }));
  return {
    assets,
    applications: APP_STRATEGIES.map((strategy, i) => ({ key: `app-${i}`, strategy, wave: (i % 3) + 1 })),
    dependencyCount: 30,
    waveOrder: [3, 1, 2],
    issues,
  };
}

/** Writes the fixture's results for `flowId` in one transaction, as the engine would have. */
export async function insertFixture(db: Kysely<FlowDatabase>, flowId: string, fixture: Fixture): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("assets")
      .values(
        fixture.assets.map((a) => ({
          flow_id: flowId,
          row_number: a.row,
          data: JSON.stringify(
            toJson(
              AssetSchema,
              create(AssetSchema, {
                rowNumber: BigInt(a.row),
                hostname: a.hostname,
                assetName: a.assetName,
                assetType: a.assetType,
                environment: a.environment,
                osFamily: a.osFamily,
                ipAddresses: a.ipAddresses,
                tags: a.tags,
                customAttributes: a.custom,
                cpuCores: a.cpuCores,
                qualityScore: a.quality,
              }),
              { useProtoFieldName: true },
            ),
          ),
          asset_name: a.assetName,
          hostname: a.hostname,
          asset_type: a.assetType,
          environment: a.environment,
          os_family: a.osFamily,
          quality: a.quality,
          duplicate_of: a.duplicateOf,
          application_key: a.applicationKey,
          strategy: a.strategy,
          strategy_detail: a.strategy
            ? JSON.stringify({
                row_number: String(a.row),
                strategy: a.strategy,
                rationale: `because row ${a.row}`,
                confidence: 0.75,
                missing_data: ["utilization"],
              })
            : null,
        })),
      )
      .execute();
    await trx
      .insertInto("applications")
      .values(
        fixture.applications.map((app) => ({
          flow_id: flowId,
          key: app.key,
          name: `Application ${app.key}`,
          method: "application_column",
          confidence: 0.9,
          reason: "named in the inventory",
          asset_count: fixture.assets.filter((a) => a.applicationKey === app.key && a.duplicateOf === null).length,
          strategy: app.strategy
            ? JSON.stringify({
                application_key: app.key,
                strategy: app.strategy,
                rationale: "roll-up",
                confidence: 0.7,
              })
            : null,
          wave: app.wave,
        })),
      )
      .execute();
    await trx
      .insertInto("application_edges")
      .values([
        { flow_id: flowId, source_key: "app-0", target_key: "app-1", edge_count: 4, service_kinds: '["https"]' },
        { flow_id: flowId, source_key: "app-1", target_key: "app-2", edge_count: 1, service_kinds: '["postgres"]' },
        { flow_id: flowId, source_key: "app-3", target_key: "app-0", edge_count: 2, service_kinds: '["ssh","https"]' },
      ])
      .execute();
    await trx
      .insertInto("dependencies")
      .values(
        Array.from({ length: fixture.dependencyCount }, (_, i) => ({
          flow_id: flowId,
          id: i + 1,
          source_row_number: i + 1,
          source_label: `host-${i + 1}`,
          target_row_number: i % 4 === 0 ? 0 : i + 2,
          target_label: i % 4 === 0 ? "203.0.113.9" : `host-${i + 2}`,
          port: 443,
          protocol: "tcp",
          service_kind: "https",
          connection_count: i + 1,
          external: i % 4 === 0,
        })),
      )
      .execute();
    await trx
      .insertInto("waves")
      .values(
        fixture.waveOrder.map((number) => ({
          flow_id: flowId,
          number,
          application_keys: JSON.stringify(fixture.applications.filter((a) => a.wave === number).map((a) => a.key)),
          rationale: `wave ${number}`,
        })),
      )
      .execute();
    await trx
      .insertInto("issues")
      .values(
        fixture.issues.map((issue, i) => ({
          flow_id: flowId,
          phase: "data_validation",
          row_number: i + 1,
          column_name: "Memory",
          field: "memory_gb",
          value: "lots",
          severity: issue.severity,
          code: issue.code,
          message: `issue ${i + 1}`,
        })),
      )
      .execute();
  });
}

/** `count` assets of about 3 KB each, written by the database itself so the test stays fast. */
export async function insertBulkAssets(db: Kysely<FlowDatabase>, flowId: string, count: number): Promise<void> {
  await sql`
    insert into assets (flow_id, row_number, data, asset_name, hostname, asset_type, environment, os_family,
                        quality, application_key, strategy, strategy_detail)
    select ${flowId}::uuid, i,
           jsonb_build_object(
             'row_number', i::text, 'asset_name', 'bulk ' || i, 'hostname', 'bulk-' || i,
             'ip_addresses', jsonb_build_array('10.9.' || (i / 250) || '.' || (i % 250)),
             'asset_type', 'virtual_machine', 'environment', 'production', 'os_family', 'linux',
             'operating_system', 'Ubuntu 22.04', 'cpu_cores', i % 16 + 1, 'memory_gb', i % 64 + 0.5,
             'tags', jsonb_build_object('team', 'ops', 'idx', i::text),
             'custom_attributes', jsonb_build_object('notes', repeat('n', 2500), 'rack', 'r' || (i % 40))),
           'bulk ' || i, 'bulk-' || i, 'virtual_machine', 'production', 'linux', 0.8, 'bulk-app', 'rehost',
           jsonb_build_object('row_number', i::text, 'strategy', 'rehost', 'confidence', 0.8,
                              'rationale', repeat('r', 300))
    from generate_series(1, ${count}::int) as i`.execute(db);
}
