import { randomUUID } from "node:crypto";
import { sql } from "@migrate/db";
import { ASSET_FIELD_NAMES } from "@migrate/domain";
import { isMeshError, type MeshError } from "@migrate/errors";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { checkHealth, type TenantContext } from "@migrate/grpc";
import type { ServiceProcess } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LearningProcess, startLearning } from "./support/learning-process.ts";

const PATTERN_TYPES = ["field_mapping", "value_normalization", "asset_classification", "strategy_override"];
const run = randomUUID().slice(0, 8);
const tenantOf = (clientAccountId: string, engagementId = ""): TenantContext => ({
  clientAccountId,
  engagementId,
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
});
const acme = tenantOf(`acme_${run}`);
const globex = tenantOf(`globex_${run}`);
let running: LearningProcess;
let service: ServiceProcess;
let learning: LearningProcess["learning"];
let database: LearningProcess["database"];
let schema: string;
let target: string;
let metricsPort: number;

beforeAll(async () => {
  running = await startLearning("learning", {
    env: { LEARNING_USAGE_FLUSH_MS: "100" },
    onLine: (line) => process.env.DEBUG_SERVICE && console.error(line),
  });
  ({ service, learning, database, schema, target, metricsPort } = running);
});

afterAll(() => running?.stop());

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
const learn = (tenant: TenantContext, sourceText: string, target: string, extra: Record<string, unknown> = {}) =>
  learning.client.learnFromCorrection({ correction: { sourceText, target, ...extra } }, { tenant });
const recommend = (tenant: TenantContext, headers: string[], format = "generic") =>
  learning.client.getRecommendations(
    { headers: headers.map((text) => ({ text })), context: { format, headers } },
    { tenant },
  );
const rowsOf = async (tenant: TenantContext) =>
  (
    await sql<{ source_text: string; target: string; evidence_count: number }>`
    select source_text, target, evidence_count from learned_patterns where client_account_id = ${tenant.clientAccountId}
    order by source_text, target`.execute(database.db)
  ).rows;

describe("learning service", () => {
  it("reports SERVING on gRPC health, overall and for LearningService", async () => {
    expect(await checkHealth(target)).toBe("SERVING");
    expect(await checkHealth(target, LearningService.typeName)).toBe("SERVING");
  });

  it("keeps embeddings in pgvector with an HNSW cosine index, a merge key and b-tree lookups", async () => {
    const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where schemaname = ${schema} and tablename = 'learned_patterns'`.execute(
      database.db,
    );
    const definitions = rows.map((row) => row.indexdef);
    expect(definitions.some((d) => d.includes("USING hnsw (embedding vector_cosine_ops)"))).toBe(true);
    expect(definitions.some((d) => d.includes("btree (client_account_id, pattern_type, source_key)"))).toBe(true);
    expect(
      definitions.some(
        (d) =>
          d.includes("UNIQUE INDEX learned_patterns_merge_key ON") &&
          d.includes("(client_account_id, engagement_id, pattern_type, source_key, target) NULLS NOT DISTINCT"),
      ),
    ).toBe(true);
  });

  it("merges an exact duplicate correction into one pattern whose evidence grows", async () => {
    const tenant = tenantOf(`merge_${run}`);
    const first = await learn(tenant, "srv_nm", "hostname", {
      context: { format: "generic", headers: ["srv_nm", "ip"] },
    });
    expect(first.merged).toBe(false);
    expect(first.pattern?.evidenceCount).toBe(1);
    expect(first.pattern?.confidence).toBeCloseTo(5 / 6, 10);
    expect(first.pattern?.context?.format).toBe("generic");
    expect(first.pattern?.context?.neighbourHeaders).toEqual(["ip"]);
    expect(first.pattern?.embeddingModel).toBe("builtin-hash-v1");

    // Another spelling of the same header is the same normalised source.
    const again = await learn(tenant, "SRV-NM", "hostname");
    expect(again.merged).toBe(true);
    expect(again.pattern?.id).toBe(first.pattern?.id);
    expect(again.pattern?.evidenceCount).toBe(2);
    expect(again.pattern?.confidence).toBeCloseTo(6 / 7, 10);
    expect(await rowsOf(tenant)).toEqual([{ source_text: "srv_nm", target: "hostname", evidence_count: 2 }]);
  });

  it("stores a review's approvals and corrections in one batch, lowering the overridden suggestions", async () => {
    const tenant = tenantOf(`review_${run}`);
    await learn(tenant, "Host", "asset_name");
    const { results, rejectedCount } = await learning.client.batchStorePatterns(
      {
        corrections: [
          { sourceText: "VM", suggestedTarget: "asset_name", target: "asset_name" },
          { sourceText: "Host", suggestedTarget: "asset_name", target: "hostname" },
          { sourceText: "Mem", target: "memory_gb" },
          { sourceText: "mem", target: "memory_gb" },
        ],
      },
      { tenant },
    );
    expect(results.map((r) => [r.pattern?.sourceText, r.pattern?.target, r.pattern?.evidenceCount, r.merged])).toEqual([
      ["VM", "asset_name", 1, false],
      ["Host", "hostname", 1, false],
      ["Mem", "memory_gb", 2, false],
      ["Mem", "memory_gb", 2, true],
    ]);
    expect(rejectedCount).toBe(1);
    const { patterns } = await learning.client.listPatterns({}, { tenant });
    const hostAsName = patterns.find((p) => p.sourceText === "Host" && p.target === "asset_name");
    expect(hostAsName?.rejections).toBe(1);
    expect(hostAsName?.confidence).toBeCloseTo(5 / 8, 10);
    const [top] = (await recommend(tenant, ["host"])).results[0]?.recommendations ?? [];
    expect(top?.target).toBe("hostname");
  });

  it("moves confidence with feedback as documented, always strictly between 0 and 1", async () => {
    const tenant = tenantOf(`feedback_${run}`);
    const id = (await learn(tenant, "Owner", "business_owner")).pattern?.id ?? "";
    const approved = await learning.client.recordFeedback({ patternId: id, outcome: "approved" }, { tenant });
    expect(approved.pattern?.confidence).toBeCloseTo(6 / 7, 10);
    const rejected = await learning.client.recordFeedback({ patternId: id, outcome: "rejected" }, { tenant });
    expect(rejected.pattern?.confidence).toBeCloseTo(6 / 9, 10);
    let confidence = 1;
    for (let i = 0; i < 25; i++) {
      const answer = await learning.client.recordFeedback({ patternId: id, outcome: "rejected" }, { tenant });
      expect(answer.pattern?.confidence).toBeLessThan(confidence);
      confidence = answer.pattern?.confidence ?? 0;
    }
    expect(confidence).toBeGreaterThan(0);
    expect(confidence).toBeCloseTo(6 / 59, 10);
    const other = (await learn(tenant, "Cost Centre", "cost_center")).pattern?.id ?? "";
    for (let i = 0; i < 40; i++)
      confidence =
        (await learning.client.recordFeedback({ patternId: other, outcome: "approved" }, { tenant })).pattern
          ?.confidence ?? 1;
    expect(confidence).toBeLessThan(1);
    expect(confidence).toBeCloseTo(45 / 46, 10);
  });

  it("recommends a learned target for a header never seen but similar, with the evidence behind it", async () => {
    const tenant = tenantOf(`similar_${run}`);
    const taught = await learn(tenant, "srv_nm", "hostname");
    await learn(tenant, "ip_addr", "ip_addresses");
    const { results } = await recommend(tenant, ["srv_name", "Server Name", "SRV_NM", "colour"]);
    expect(results.map((r) => r.header)).toEqual(["srv_name", "Server Name", "SRV_NM", "colour"]);

    const [near] = results[0]?.recommendations ?? [];
    expect(near?.target).toBe("hostname");
    expect(near?.evidence[0]).toMatchObject({
      patternId: taught.pattern?.id,
      sourceText: "srv_nm",
      exactMatch: false,
      evidenceCount: 1,
    });
    const similarity = near?.evidence[0]?.similarity ?? 0;
    expect(similarity).toBeGreaterThan(0.5);
    expect(similarity).toBeLessThan(1);
    expect(near?.confidence).toBeCloseTo((5 / 6) * similarity * similarity, 6);

    expect(results[1]?.recommendations[0]?.target).toBe("hostname");
    const exact = results[2]?.recommendations[0];
    expect(exact).toMatchObject({ target: "hostname", confidence: 5 / 6 });
    expect(exact?.evidence[0]).toMatchObject({ exactMatch: true, similarity: 1 });
    expect(results[3]?.recommendations).toEqual([]);
  });

  it("counts the patterns behind recommendations (times_used, last_used_at) off the request path", async () => {
    const tenant = tenantOf(`usage_${run}`);
    await learn(tenant, "Datacentre", "datacenter");
    await recommend(tenant, ["datacentre"]);
    await recommend(tenant, ["DATACENTRE", "unrelated"]);
    let pattern: { timesUsed: number; lastUsedAt: string } | undefined;
    for (let i = 0; i < 50 && (pattern?.timesUsed ?? 0) < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [pattern] = (await learning.client.listPatterns({}, { tenant })).patterns;
    }
    expect(pattern?.timesUsed).toBe(2);
    expect(Number.isNaN(Date.parse(pattern?.lastUsedAt ?? ""))).toBe(false);
  });

  it("keeps tenants apart: recommendations, lists, similar patterns, feedback and deletes", async () => {
    const secret = await learn(acme, "Secret Header", "asset_name");
    await learn(acme, "Server Name", "asset_name", { pattern_type: "field_mapping" });
    const id = secret.pattern?.id ?? "";

    expect((await recommend(acme, ["secret header"])).results[0]?.recommendations[0]?.target).toBe("asset_name");
    expect(
      (await recommend(globex, ["secret header", "Secret_Header", "server name"])).results.map(
        (r) => r.recommendations,
      ),
    ).toEqual([[], [], []]);
    expect((await learning.client.listPatterns({}, { tenant: globex })).patterns).toEqual([]);
    expect((await learning.client.findSimilarPatterns({ text: "Secret Header" }, { tenant: globex })).patterns).toEqual(
      [],
    );
    const mine = await learning.client.findSimilarPatterns({ text: "secret headers", k: 1 }, { tenant: acme });
    expect(mine.patterns.map((p) => p.pattern?.id)).toEqual([id]);

    const unknown = randomUUID();
    for (const patternId of [id, unknown, "not-a-uuid"]) {
      const deleted = await refusal(learning.client.deletePattern({ patternId }, { tenant: globex }));
      expect([deleted.code, deleted.message]).toEqual(["NOT_FOUND", "pattern not found"]);
      const feedback = await refusal(
        learning.client.recordFeedback({ patternId, outcome: "approved" }, { tenant: globex }),
      );
      expect([feedback.code, feedback.message]).toEqual(["NOT_FOUND", "pattern not found"]);
    }
    await learning.client.deletePattern({ patternId: id }, { tenant: acme });
    expect((await refusal(learning.client.deletePattern({ patternId: id }, { tenant: acme }))).code).toBe("NOT_FOUND");
    expect((await recommend(acme, ["secret header"])).results[0]?.recommendations).toEqual([]);
  });

  it("scopes engagement-only patterns to their engagement; client-wide ones serve every engagement", async () => {
    const tenant = tenantOf(`eng_${run}`, "eng_a");
    const own = await learn(tenant, "Box", "hostname", { engagementOnly: true });
    expect(own.pattern?.engagementId).toBe("eng_a");
    await learn(tenant, "Rack", "datacenter");
    const otherEngagement = tenantOf(tenant.clientAccountId, "eng_b");
    const noEngagement = tenantOf(tenant.clientAccountId);
    expect(
      (await recommend(otherEngagement, ["box", "rack"])).results.map((r) => r.recommendations[0]?.target),
    ).toEqual([undefined, "datacenter"]);
    expect((await recommend(tenant, ["box", "rack"])).results.map((r) => r.recommendations[0]?.target)).toEqual([
      "hostname",
      "datacenter",
    ]);
    const deleted = await refusal(
      learning.client.deletePattern({ patternId: own.pattern?.id ?? "" }, { tenant: otherEngagement }),
    );
    expect(deleted.code).toBe("NOT_FOUND");
    expect((await learning.client.listPatterns({}, { tenant: noEngagement })).patterns).toHaveLength(2);
    const refused = await refusal(learn(noEngagement, "Box", "hostname", { engagementOnly: true }));
    expect([refused.code, refused.details.field]).toEqual(["INVALID_ARGUMENT", "correction.engagement_only"]);
  });

  it("refuses empty and over-long source text without embedding it", async () => {
    const empty = await refusal(learn(acme, "   ", "hostname"));
    expect([empty.code, empty.details.field, empty.message]).toEqual([
      "INVALID_ARGUMENT",
      "correction.source_text",
      "correction.source_text is empty",
    ]);
    const huge = "h".repeat(10_000);
    const long = await refusal(learn(acme, huge, "hostname"));
    expect(long.code).toBe("INVALID_ARGUMENT");
    expect(long.message).toBe("correction.source_text is 10000 characters long; at most 1000 are accepted");
    expect(long.details).toMatchObject({ field: "correction.source_text", length: 10_000, max_length: 1_000 });
    expect(String(long.details.value).length).toBeLessThan(50);
    const header = await refusal(recommend(acme, ["Server", huge]));
    expect([header.code, header.details.field]).toEqual(["INVALID_ARGUMENT", "headers[1].text"]);
    const similar = await refusal(learning.client.findSimilarPatterns({ text: huge }, { tenant: acme }));
    expect([similar.code, similar.details.field]).toEqual(["INVALID_ARGUMENT", "text"]);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from learned_patterns where length(source_text) > 1000`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it("refuses an unknown pattern type and targets outside the canonical schema, listing the valid ones", async () => {
    for (const call of [
      learn(acme, "Host", "hostname", { patternType: "colour" }),
      learning.client.listPatterns({ patternType: "colour" }, { tenant: acme }),
      learning.client.getRecommendations({ patternType: "colour", headers: [{ text: "Host" }] }, { tenant: acme }),
    ]) {
      const error = await refusal(call);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.details.valid).toEqual(PATTERN_TYPES);
      expect(error.message).toContain("valid: field_mapping, value_normalization");
    }
    const field = await refusal(learn(acme, "Host", "host_name"));
    expect([field.code, field.details.field, field.details.value]).toEqual([
      "INVALID_ARGUMENT",
      "correction.target",
      "host_name",
    ]);
    expect(field.details.valid).toEqual([...ASSET_FIELD_NAMES]);
    expect(field.message).toContain("hostname");
    // Non-ASCII input in error details crosses gRPC metadata intact (and does not crash the service).
    const unicode = await refusal(learn(acme, "Größe", "größe_gb"));
    expect([unicode.code, unicode.details.value]).toEqual(["INVALID_ARGUMENT", "größe_gb"]);
    const strategy = await refusal(learn(acme, "legacy-erp", "lift", { patternType: "strategy_override" }));
    expect(strategy.details.valid).toEqual([
      "rehost",
      "relocate",
      "replatform",
      "refactor",
      "repurchase",
      "retire",
      "retain",
    ]);
    expect((await learn(acme, "legacy-erp", "retain", { patternType: "strategy_override" })).pattern?.target).toBe(
      "retain",
    );
    expect((await learn(acme, "Prod.", "production", { patternType: "value_normalization" })).pattern?.sourceKey).toBe(
      "prod",
    );

    const batch = await refusal(
      learning.client.batchStorePatterns(
        {
          corrections: [
            { sourceText: "A", target: "hostname" },
            { sourceText: "B", target: "nope" },
          ],
        },
        { tenant: acme },
      ),
    );
    expect([batch.code, batch.details.field]).toEqual(["INVALID_ARGUMENT", "corrections[1].target"]);
    expect((await rowsOf(acme)).some((row) => row.source_text === "A")).toBe(false);
    const outcome = await refusal(
      learning.client.recordFeedback({ patternId: randomUUID(), outcome: "maybe" }, { tenant: acme }),
    );
    expect(outcome.details.valid).toEqual(["approved", "rejected"]);
    const topK = await refusal(
      learning.client.getRecommendations({ headers: [{ text: "Host" }], topK: 11 }, { tenant: acme }),
    );
    expect([topK.code, topK.details.field]).toEqual(["INVALID_ARGUMENT", "top_k"]);
  });

  it("refuses a call without tenant context as UNAUTHENTICATED", async () => {
    const error = await refusal(learning.client.listPatterns({}, {}));
    expect(error.code).toBe("UNAUTHENTICATED");
  });

  it("exposes the pattern count and request durations to Prometheus", async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    // The value of the series `name` whose labels include every one of `labels`.
    const sample = (name: string, labels: string[]) =>
      text
        .split("\n")
        .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
        .map((line) => Number(line.slice(line.lastIndexOf(" ") + 1)))[0];
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from learned_patterns where pattern_type = 'field_mapping'`.execute(database.db);
    expect(sample("learning_patterns_count", ['pattern_type="field_mapping"', 'service="learning"'])).toBe(rows[0]?.n);
    expect(sample("learning_patterns_count", ['pattern_type="asset_classification"'])).toBe(0);
    const duration = "rpc_server_duration_seconds_count";
    expect(sample(duration, ['rpc_method="GetRecommendations"', 'code="OK"'])).toBeGreaterThan(0);
    expect(sample(duration, ['rpc_method="LearnFromCorrection"', 'code="INVALID_ARGUMENT"'])).toBeGreaterThan(0);
  });

  it("exits 0 on SIGTERM and stops answering", async () => {
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(await checkHealth(target, "", 300)).toBe("UNREACHABLE");
  });
});
