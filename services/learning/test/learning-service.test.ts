import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { isMeshError, type MeshError } from "@migrate/errors";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { type ClientHandle, checkHealth, createClient, type TenantContext } from "@migrate/grpc";
import { type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../telemetry/test/support/free-port.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schema = withTestSchema("learning");
const tenantOf = (clientAccountId: string, engagementId = ""): TenantContext => ({
  clientAccountId,
  engagementId,
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
});
const acme = tenantOf(`acme_${randomUUID().slice(0, 8)}`);
const globex = tenantOf(`globex_${randomUUID().slice(0, 8)}`);
const database = createDb({ url: DATABASE_URL, schema, name: "learning-test" });
let service: ServiceProcess;
let target: string;
let learning: ClientHandle<typeof LearningService.method>;

beforeAll(async () => {
  const grpcPort = await freePort();
  target = `127.0.0.1:${grpcPort}`;
  service = await startService("learning", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${await freePort()}`,
      LOG_LEVEL: "warn",
    },
  });
  learning = createClient(LearningService, `dns:///${target}`);
  // Patterns as the discovery flow will teach them; inserted directly since no RPC writes them yet.
  const embedding = `[${Array.from({ length: 256 }, (_, i) => ((i % 7) + 1) / 10).join(",")}]`;
  await sql`
    insert into learned_patterns
      (client_account_id, engagement_id, pattern_type, source_text, target, confidence, evidence_count, created_by, embedding)
    values
      (${acme.clientAccountId}, null, 'field_mapping', 'Server Name', 'asset_name', 0.95, 4, 'user-1', ${embedding}),
      (${acme.clientAccountId}, null, 'field_mapping', 'RAM (MB)', 'memory_gb', 0.7, 2, 'user-1', ${embedding}),
      (${acme.clientAccountId}, 'eng_other', 'field_mapping', 'Host', 'hostname', 0.9, 1, 'user-1', null),
      (${acme.clientAccountId}, null, 'strategy_override', 'legacy-erp', 'retain', 0.8, 1, 'user-1', null),
      (${globex.clientAccountId}, null, 'field_mapping', 'Secret Header', 'asset_name', 0.99, 9, 'user-9', null)
  `.execute(database.db);
});

afterAll(async () => {
  learning?.close();
  await service?.stop("SIGKILL");
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
  await database.close();
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the call was expected to fail");
    },
    (error: unknown) => {
      if (!isMeshError(error)) throw error;
      return error as MeshError;
    },
  );

describe("learning service", () => {
  it("reports SERVING on gRPC health, overall and for LearningService", async () => {
    expect(await checkHealth(target)).toBe("SERVING");
    expect(await checkHealth(target, LearningService.typeName)).toBe("SERVING");
  });

  it("stores embeddings in pgvector with an HNSW cosine index and a tenant b-tree", async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = ${schema} and tablename = 'learned_patterns'`.execute(
      database.db,
    );
    const hnsw = rows.find((row) => row.indexdef.includes("USING hnsw"));
    expect(hnsw?.indexdef).toContain("(embedding vector_cosine_ops)");
    expect(rows.some((row) => row.indexdef.includes("btree (client_account_id, pattern_type)"))).toBe(true);
    const { rows: ext } = await sql<{ schema: string }>`
      select extnamespace::regnamespace::text as schema from pg_extension where extname = 'vector'`.execute(
      database.db,
    );
    expect(ext).toEqual([{ schema: "public" }]);
  });

  it("lists only the caller's patterns, most confident first", async () => {
    const response = await learning.client.listPatterns({ patternType: "field_mapping" }, { tenant: acme });
    expect(response.patterns.map((p) => [p.sourceText, p.target, p.confidence])).toEqual([
      ["Server Name", "asset_name", 0.95],
      ["Host", "hostname", 0.9],
      ["RAM (MB)", "memory_gb", 0.7],
    ]);
    expect(response.patterns[0]?.evidenceCount).toBe(4);
    expect(Number.isNaN(Date.parse(response.patterns[0]?.createdAt ?? ""))).toBe(false);

    const all = await learning.client.listPatterns({ limit: 2 }, { tenant: acme });
    expect(all.patterns.map((p) => p.sourceText)).toEqual(["Server Name", "Host"]);

    const other = await learning.client.listPatterns({}, { tenant: globex });
    expect(other.patterns.map((p) => p.sourceText)).toEqual(["Secret Header"]);
    const stranger = await learning.client.listPatterns({}, { tenant: tenantOf("nobody") });
    expect(stranger.patterns).toEqual([]);
  });

  it("leaves out another engagement's patterns when the caller names an engagement", async () => {
    const response = await learning.client.listPatterns(
      { patternType: "field_mapping" },
      { tenant: tenantOf(acme.clientAccountId, "eng_mine") },
    );
    expect(response.patterns.map((p) => p.sourceText)).toEqual(["Server Name", "RAM (MB)"]);
  });

  it("rejects an unknown pattern_type, naming the valid ones", async () => {
    const error = await refusal(learning.client.listPatterns({ patternType: "colour" }, { tenant: acme }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.details.field).toBe("pattern_type");
    expect(error.details.valid).toEqual([
      "field_mapping",
      "value_normalization",
      "asset_classification",
      "strategy_override",
    ]);
    expect(error.message).toContain("value_normalization");
  });

  it("refuses a call without tenant context as UNAUTHENTICATED", async () => {
    const error = await refusal(learning.client.listPatterns({}, {}));
    expect(error.code).toBe("UNAUTHENTICATED");
  });

  it("exits 0 on SIGTERM and stops answering", async () => {
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(await checkHealth(target, "", 300)).toBe("UNREACHABLE");
  });
});
