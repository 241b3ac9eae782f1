import { randomUUID } from "node:crypto";
import { fromJson, type JsonValue, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { isMeshError } from "@migrate/errors";
import {
  AgentService,
  type AssetDocument,
  AssetSchema,
  ChangeSchema,
  type FieldMappingSchema,
  StrategyRecommendationSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import { type ClientHandle, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../telemetry/test/support/free-port.ts";
import { FORMAT_FIXTURES } from "../src/agents/fixtures/format-fixtures.ts";
import { csvRecords, generatedInventory } from "../src/agents/fixtures/messy-inventory.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schema = withTestSchema("agent");
const tenant: TenantContext = {
  clientAccountId: `acct_${randomUUID().slice(0, 8)}`,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
};
const flowId = `flow_${randomUUID().slice(0, 8)}`;
let service: ServiceProcess;
let agents: ClientHandle<typeof AgentService.method>;
const call = { tenant, timeoutMs: 30_000 };

beforeAll(async () => {
  const grpcPort = await freePort();
  service = await startService("agent", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${await freePort()}`,
      LOG_LEVEL: "warn",
    },
  });
  agents = createClient(AgentService, `dns:///127.0.0.1:${grpcPort}`, {
    credentials: meshCredentials(service.env, "test"),
  });
});

afterAll(async () => {
  agents?.close();
  await service?.stop("SIGKILL");
  const { db, close } = createDb({ url: DATABASE_URL, schema, name: "agent-test" });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await close();
});

/** Rows of the generator's inventory as RawRecord messages, with the mapping MapFields gives. */
async function generated(servers: number) {
  const { records, connectionsCsv } = generatedInventory(servers, 11);
  const header = Object.keys(records[0]?.values ?? {});
  const mapped = await agents.client.mapFields(
    {
      flowId,
      columns: header.map((source) => ({ source, samples: records.slice(0, 20).map((r) => r.values[source] ?? "") })),
    },
    call,
  );
  return {
    mappings: mapped.mappings,
    records: records.map((r) => ({ rowNumber: BigInt(r.row), valuesJson: JSON.stringify(r.values) })),
    connectionsCsv,
  };
}

/** The typed Asset and Change messages an asset document holds. */
function read(document: AssetDocument) {
  return {
    asset: fromJson(AssetSchema, JSON.parse(document.assetJson) as JsonValue),
    changes: (JSON.parse(document.changesJson) as JsonValue[]).map((change) => fromJson(ChangeSchema, change)),
  };
}

describe("discovery agents over gRPC", () => {
  it("MapFields recognises an Azure Migrate export and carries units", async () => {
    const azure = FORMAT_FIXTURES.find((fixture) => fixture.name === "azure_migrate")!;
    const [header = [], ...rows] = parse(azure.csv) as string[][];
    const response = await agents.client.mapFields(
      { flowId, columns: header.map((source, i) => ({ source, samples: rows.map((row) => row[i] ?? "") })) },
      call,
    );
    expect(response.format).toBe("azure_migrate");
    expect(response.learnedCount).toBe(0);
    expect(response.mappings.find((m) => m.source === "Memory (In MB)")).toMatchObject({
      target: "memory_gb",
      unit: "mb",
    });
    expect(response.mappings.map((m) => m.source)).toEqual(header);
  });

  it("ValidateRecords reports the row and column of each problem", async () => {
    const mappings: MessageInitShape<typeof FieldMappingSchema>[] = [
      { source: "Name", target: "asset_name" },
      { source: "RAM", target: "memory_gb" },
      { source: "Cores", target: "cpu_cores" },
    ];
    const records = csvRecords("Name,RAM,Cores\nweb-01,16 GB,4\n,8 GB,2\ndb-01,lots,99999").map((r) => ({
      rowNumber: BigInt(r.row),
      valuesJson: JSON.stringify(r.values),
    }));
    const response = await agents.client.validateRecords({ flowId, mappings, records }, call);
    expect(response.issues.map((i) => [Number(i.rowNumber), i.column, i.code, i.severity])).toEqual([
      [2, "Name", "missing_identity", "error"],
      [3, "RAM", "invalid_number", "warning"],
      [3, "Cores", "out_of_range", "warning"],
    ]);
    expect(response.quality.map((q) => q.score)).toEqual([0.38, 0.15, 0.13]);
  });

  it("CleanseRecords turns 2,000 generated rows into 2,000 typed assets with units normalised", async () => {
    const { mappings, records } = await generated(2_000);
    const response = await agents.client.cleanseRecords({ flowId, mappings, records }, call);
    expect(response.assets).toHaveLength(records.length);
    expect(response.assets.map((a) => a.rowNumber)).toEqual(records.map((r) => r.rowNumber));
    const documents = response.assets.map(read);
    const sizes = [4, 8, 16, 32, 64, 128];
    for (const { asset } of documents) {
      expect(sizes.some((size) => Math.abs((asset.memoryGb ?? 0) - size) / size < 0.08)).toBe(true);
      expect([2, 4, 8, 16, 32]).toContain(asset.cpuCores);
      expect(asset.hostname).toBe(asset.hostname.toLowerCase());
      expect(asset.assetType).not.toBe("");
    }
    for (const [i, { changes }] of documents.entries()) {
      expect(changes.every((change) => change.rowNumber === records[i]?.rowNumber)).toBe(true);
    }
    const rules = new Set(documents.flatMap(({ changes }) => changes.map((c) => c.rule)));
    for (const rule of [
      "unit_mb_to_gb",
      "unit_mib_to_gb",
      "unit_tb_to_gb",
      "cpu_string_to_cores",
      "environment_vocabulary",
    ]) {
      expect(rules).toContain(rule);
    }
    expect(response.issues.every((issue) => issue.rowNumber > 0n && issue.column !== "")).toBe(true);
  });

  it("ValidateAndCleanseRecords answers exactly what ValidateRecords and CleanseRecords answer apart", async () => {
    const { mappings, records } = await generated(500);
    const both = await agents.client.validateAndCleanseRecords({ flowId, mappings, records }, call);
    const validated = await agents.client.validateRecords({ flowId, mappings, records }, call);
    const cleansed = await agents.client.cleanseRecords({ flowId, mappings, records }, call);
    expect(both.validation).toEqual(validated);
    expect(both.cleansing).toEqual(cleansed);
    expect(both.cleansing?.assets).toHaveLength(records.length);
    expect(both.cleansing?.assets.every((document) => document.strategyJson === "")).toBe(true);

    // Asked to, it also recommends each asset's strategy: what RecommendStrategies answers for
    // the same cleansed documents, in the JSON form the flow stores.
    const all3 = await agents.client.validateAndCleanseRecords(
      { flowId, mappings, records, recommendStrategies: true },
      call,
    );
    const documents = all3.cleansing?.assets ?? [];
    expect(documents.map(({ strategyJson: _, ...document }) => document)).toEqual(
      cleansed.assets.map(({ strategyJson: _, ...document }) => document),
    );
    const { recommendations } = await agents.client.recommendStrategies({ flowId, assets: cleansed.assets }, call);
    expect(documents.map((document) => JSON.parse(document.strategyJson))).toEqual(
      recommendations.map((r) => toJson(StrategyRecommendationSchema, r, { useProtoFieldName: true })),
    );
    expect(new Set(recommendations.map((r) => r.strategy)).size).toBeGreaterThan(1);
  });

  it("runs the chain dependencies → applications → strategies → plan with sane results", async () => {
    const { mappings, records, connectionsCsv } = await generated(3_000);
    const cleansed = await agents.client.cleanseRecords({ flowId, mappings, records }, call);
    const assets = cleansed.assets.map((document) => read(document).asset);
    const { groups } = await agents.client.findDuplicates(
      {
        flowId,
        keys: assets.map((a) => ({
          rowNumber: a.rowNumber,
          externalId: a.externalId,
          hostname: a.hostname,
          vmUuid: a.vmUuid,
        })),
      },
      call,
    );
    expect(groups.length).toBeGreaterThan(10);
    const duplicates = new Set(groups.flatMap((g) => g.duplicateRowNumbers));
    const kept = assets.filter((a) => !duplicates.has(a.rowNumber));
    const keptDocuments = cleansed.assets.filter((a) => !duplicates.has(a.rowNumber));

    // The whole-flow calls take chunks of JSON arrays of AssetRef / Connection / DependencyEdge
    // (proto field names); the list is their concatenation.
    const refs = kept.map((a) => ({
      row_number: String(a.rowNumber),
      asset_name: a.assetName,
      hostname: a.hostname,
      fqdn: a.fqdn,
      ip_addresses: a.ipAddresses,
      application_name: a.applicationName,
      tags: a.tags,
    }));
    const half = Math.floor(refs.length / 2);
    const assetsJson = [JSON.stringify(refs.slice(0, half)), JSON.stringify(refs.slice(half))];
    const connectionsJson = JSON.stringify(
      (parse(connectionsCsv) as string[][]).slice(1).map((row, i) => ({
        row_number: i + 1,
        source: row[0] ?? "",
        destination: row[1] ?? "",
        port: Number(row[2]),
        protocol: row[3] ?? "",
      })),
    );
    // Streamed: the assets over two messages (the flow id on the first only), then the connections.
    const answers = await all(
      agents.client.analyzeDependencies(
        [
          { flowId, assetsJson: [assetsJson[0] ?? "[]"] },
          { assetsJson: [assetsJson[1] ?? "[]"] },
          { connectionsJson: [connectionsJson] },
        ],
        call,
      ),
    );
    const edgesJson = answers.map((answer) => answer.edgesJson);
    const edges = edgesJson.flatMap((chunk) => JSON.parse(chunk) as Array<{ external: boolean; service_kind: string }>);
    expect(edges.filter((e) => !e.external).length).toBeGreaterThan(100);
    expect(edges.some((e) => e.service_kind === "https")).toBe(true);
    expect(answers.flatMap((answer) => answer.issues).map((i) => i.code)).toContain("unknown_host");

    const discovered = await agents.client.discoverApplications(
      [{ flowId, assetsJson }, ...edgesJson.map((chunk) => ({ flowId, edgesJson: [chunk] }))],
      call,
    );
    const grouped = discovered.applications.flatMap((a) => a.assetRowNumbers);
    expect(grouped).toHaveLength(kept.length);
    expect(new Set(grouped).size).toBe(kept.length);
    expect(discovered.applications.filter((a) => a.method === "application_column").length).toBe(10);

    const { recommendations } = await agents.client.recommendStrategies({ flowId, assets: keptDocuments }, call);
    expect(recommendations.map((r) => r.rowNumber)).toEqual(kept.map((a) => a.rowNumber));
    for (const r of recommendations) {
      expect(["rehost", "relocate", "replatform", "refactor", "repurchase", "retire", "retain"]).toContain(r.strategy);
      expect(r.rationale.length).toBeGreaterThan(10);
      expect(r.factors.length).toBeGreaterThan(0);
    }

    const byRow = new Map(recommendations.map((r) => [r.rowNumber, r]));
    const plan = await agents.client.planMigration(
      {
        flowId,
        applications: discovered.applications.map((application) => ({
          application,
          memberStrategies: application.assetRowNumbers.map((row) => byRow.get(row)!),
        })),
        applicationEdges: discovered.applicationEdges,
      },
      call,
    );
    expect(plan.applicationStrategies).toHaveLength(discovered.applications.length);
    const retained = new Set(
      plan.applicationStrategies.filter((s) => s.strategy === "retain").map((s) => s.applicationKey),
    );
    const inWaves = plan.waves.flatMap((w) => w.applicationKeys);
    expect(new Set(inWaves).size).toBe(inWaves.length);
    expect(inWaves.sort()).toEqual(
      discovered.applications
        .map((a) => a.key)
        .filter((k) => !retained.has(k))
        .sort(),
    );
    expect(plan.waves.every((w, i) => w.number === i + 1 && w.rationale.startsWith(`Wave ${w.number}:`))).toBe(true);
  });

  it("refuses an empty flow id and batches over 10,000 records with INVALID_ARGUMENT", async () => {
    const noFlow = await agents.client.validateRecords({ flowId: "", records: [] }, call).catch((e: unknown) => e);
    expect(isMeshError(noFlow) && noFlow.code).toBe("INVALID_ARGUMENT");
    const records = Array.from({ length: 10_001 }, (_, i) => ({
      rowNumber: BigInt(i + 1),
      valuesJson: JSON.stringify({ Name: `s${i}` }),
    }));
    const tooMany = await agents.client.cleanseRecords({ flowId, records }, call).catch((e: unknown) => e);
    expect(isMeshError(tooMany) && tooMany.code).toBe("INVALID_ARGUMENT");
    expect(isMeshError(tooMany) && tooMany.details).toMatchObject({ field: "records", max: 10_000 });
    const badTarget = await agents.client
      .validateRecords({ flowId, mappings: [{ source: "A", target: "favourite_colour" }], records: [] }, call)
      .catch((e: unknown) => e);
    expect(isMeshError(badTarget) && badTarget.code).toBe("INVALID_ARGUMENT");
    const notAList = await all(
      agents.client.analyzeDependencies(
        [
          { flowId, assetsJson: ["[]"] },
          { assetsJson: ['{"row_number":1}'], connectionsJson: [] },
        ],
        call,
      ),
    ).catch((e: unknown) => e);
    // Chunks are numbered across the whole stream, as the sender numbered them.
    expect(isMeshError(notAList) && [notAList.code, notAList.message]).toEqual([
      "INVALID_ARGUMENT",
      "assets_json[1] is not a JSON array",
    ]);
    const badItem = await agents.client
      .discoverApplications(
        [{ flowId, assetsJson: [] }, { edgesJson: ['[{"port":443}]'] }, { edgesJson: ["[7]"] }],
        call,
      )
      .catch((e: unknown) => e);
    expect(isMeshError(badItem) && [badItem.message, badItem.details]).toEqual([
      "edges_json item 2 is not a JSON object",
      { field: "edges_json", item: 2 },
    ]);
    const late = await all(
      agents.client.analyzeDependencies(
        [{ flowId, connectionsJson: ["[]"] }, { assetsJson: ['[{"row_number":1,"hostname":"a"}]'] }],
        call,
      ),
    ).catch((e: unknown) => e);
    expect(isMeshError(late) && [late.code, late.details]).toEqual(["INVALID_ARGUMENT", { field: "assets_json" }]);
    const otherFlow = await agents.client
      .discoverApplications(
        [
          { flowId, assetsJson: [] },
          { flowId: "flow_other", assetsJson: [] },
        ],
        call,
      )
      .catch((e: unknown) => e);
    expect(isMeshError(otherFlow) && [otherFlow.code, otherFlow.details]).toEqual([
      "INVALID_ARGUMENT",
      { field: "flow_id" },
    ]);
    const noFlowStream = await all(agents.client.analyzeDependencies([], call)).catch((e: unknown) => e);
    expect(isMeshError(noFlowStream) && noFlowStream.details).toEqual({ field: "flow_id" });
  });

  it("answers a large dependency stream in chunks, every edge once, in order of first appearance", async () => {
    const servers = 2_000;
    const refs = Array.from({ length: servers }, (_, i) => ({ row_number: i + 1, hostname: `host-${i + 1}` }));
    // 25,000 distinct pairs, then the first 5,000 again: 25,000 edges, the first 5,000 counted twice.
    const pairs = Array.from({ length: 30_000 }, (_, i) => {
      const n = i % 25_000;
      return {
        source: `host-${(n % servers) + 1}`,
        destination: `host-${((n * 7 + Math.floor(n / servers) + 1) % servers) + 1}`,
      };
    });
    const connections = pairs.map((pair, i) => ({ row_number: i + 1, ...pair, port: 443, protocol: "tcp" }));
    const chunks = [0, 10_000, 20_000].map((at) => JSON.stringify(connections.slice(at, at + 10_000)));
    const answers = await all(
      agents.client.analyzeDependencies(
        [{ flowId, assetsJson: [JSON.stringify(refs)] }, ...chunks.map((chunk) => ({ connectionsJson: [chunk] }))],
        call,
      ),
    );
    const edges = answers.flatMap(
      (answer) =>
        JSON.parse(answer.edgesJson) as Array<{
          source_row_number: number;
          target_row_number: number;
          connection_count: number;
        }>,
    );
    const distinct = new Set(
      pairs
        .slice(0, 25_000)
        .filter((p) => p.source !== p.destination)
        .map((p) => `${p.source}>${p.destination}`),
    );
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.every((answer) => (JSON.parse(answer.edgesJson) as unknown[]).length <= 10_000)).toBe(true);
    expect(edges).toHaveLength(distinct.size);
    expect(new Set(edges.map((e) => `${e.source_row_number}>${e.target_row_number}`)).size).toBe(distinct.size);
    const first = pairs.find((p) => p.source !== p.destination);
    expect(`host-${edges[0]?.source_row_number}>host-${edges[0]?.target_row_number}`).toBe(
      `${first?.source}>${first?.destination}`,
    );
    expect(edges.reduce((sum, e) => sum + e.connection_count, 0)).toBe(
      pairs.filter((p) => p.source !== p.destination).length,
    );
  });

  it("records one agent_runs row per call, scoped to the tenant and flow", async () => {
    const other = `flow_${randomUUID().slice(0, 8)}`;
    await agents.client.findDuplicates(
      {
        flowId: other,
        keys: [
          { rowNumber: 1n, hostname: "a" },
          { rowNumber: 2n, hostname: "A" },
        ],
      },
      call,
    );
    const { db, close } = createDb({ url: DATABASE_URL, schema, name: "agent-test" });
    try {
      const { rows } = await sql<{
        agent: string;
        status: string;
        input_count: number;
        output_count: number;
        finished: boolean;
      }>`
        select agent, status, input_count, output_count, finished_at >= started_at as finished
        from agent_runs where client_account_id = ${tenant.clientAccountId} and flow_id = ${other}`.execute(db);
      expect(rows).toEqual([
        { agent: "deduplication", status: "succeeded", input_count: 2, output_count: 1, finished: true },
      ]);
      const { rows: all } = await sql<{ agent: string; status: string }>`
        select agent, status from agent_runs where client_account_id = ${tenant.clientAccountId} and flow_id = ${flowId}`.execute(
        db,
      );
      const agentsRun = new Set(all.map((r) => r.agent));
      for (const name of [
        "field_mapping",
        "validation",
        "cleansing",
        "deduplication",
        "dependency_analysis",
        "application_discovery",
        "strategy",
        "waves",
      ]) {
        expect(agentsRun).toContain(name);
      }
      // The refused-mapping call ran and failed; the refused empty-flow call left no row.
      expect(all.some((r) => r.agent === "validation" && r.status === "failed")).toBe(true);
    } finally {
      await close();
    }
  });
});

/** Every answer of a streaming call. */
async function all<T>(answers: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const answer of answers) items.push(answer);
  return items;
}
