/**
 * Learning service on pgvector, in one run against the real Postgres: the service runs as its own
 * process on an isolated schema (dropped at the end); every figure has a same-run baseline.
 * - 200 concurrent LearnFromCorrection calls, on an empty table and again at 100,000 patterns;
 * - GetRecommendations latency at 100,000 patterns (one header, and a 20-header import), against
 *   the very same SQL run directly with pg from this process;
 * - recall@10 of the service's HNSW search (FindSimilarPatterns) against an exact scan.
 */
import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { normalizeHeader } from "@migrate/domain";
import { type Correction, LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, startService } from "@migrate/launcher";
import { prng } from "../scripts/generate-sample.ts";
import type { LearningDatabase } from "../services/learning/src/db/learning-database.ts";
import { BUILTIN_EMBEDDER_MODEL, embedBuiltin } from "../services/learning/src/embeddings/builtin-embedder.ts";
import { similarQuery } from "../services/learning/src/patterns/find-similar-patterns.ts";
import { readCorrection } from "../services/learning/src/patterns/read-correction.ts";
import { evidenceQuery } from "../services/learning/src/patterns/recommend-targets.ts";
import { storeCorrections } from "../services/learning/src/patterns/store-corrections.ts";
import { vectorSearchSettings } from "../services/learning/src/patterns/vector-search.ts";
import { freePort } from "../services/telemetry/test/support/free-port.ts";
import { type BenchResult, percentile } from "./bench-result.ts";
import { distinctHeaders, generateHeader, respell } from "./learning-headers.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PATTERNS = 100_000;
const BIG_TENANT_SHARE = 90_000; // the rest is spread over 20 other tenants, filtered out by every query
const EF_SEARCH = 100; // the service's default LEARNING_HNSW_EF_SEARCH
const FORMATS = ["generic", "rvtools_vinfo", "azure_migrate", "aws_migration_hub", "servicenow_cmdb_ci_server"];
const LATENCY_CALLS = 1_000;
const IMPORT_CALLS = 100;
const RECALL_QUERIES = 100;

const tenant = (clientAccountId: string): TenantContext => ({
  clientAccountId,
  engagementId: "",
  userId: "bench",
  requestId: randomUUID(),
  roles: [],
});

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const schema = withTestSchema("learning_bench");
  const grpcPort = await freePort();
  const service = await startService("learning", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${await freePort()}`,
      LOG_LEVEL: "warn",
      LEARNING_HNSW_EF_SEARCH: `${EF_SEARCH}`,
    },
    onLine: (line) => console.error(`[learning] ${line}`),
  });
  const learning = createClient(LearningService, `dns:///127.0.0.1:${grpcPort}`, {
    credentials: meshCredentials(service.env, "bench"),
    defaultTimeoutMs: 120_000,
  });
  // The raw-SQL baseline runs with the same session settings the service's connections have.
  const database = createDb<LearningDatabase>({
    url: DATABASE_URL,
    schema,
    name: "learning-bench",
    poolMax: 10,
    settings: vectorSearchSettings(EF_SEARCH),
  });
  const big = tenant(`bench_big_${process.pid}`);
  const next = prng(20261126);
  const correction = (text: string, target: string): Correction =>
    ({
      patternType: "",
      sourceText: text,
      target,
      suggestedTarget: "",
      engagementOnly: false,
      sampleValues: [],
      context: { format: FORMATS[Math.floor(next() * FORMATS.length)] ?? "generic", headers: [] },
    }) as unknown as Correction;
  try {
    await learning.client.listPatterns({ limit: 1 }, { tenant: big }); // connects the channel

    // 200 concurrent corrections: through the service, then the same upserts straight to Postgres.
    const learnConcurrently = async (label: string, seed: number) => {
      const headers = distinctHeaders(400, seed, normalizeHeader);
      const viaService = headers.slice(0, 200);
      const started = performance.now();
      await Promise.all(
        viaService.map((h) =>
          learning.client.learnFromCorrection({ correction: correction(h.text, h.target) }, { tenant: big }),
        ),
      );
      const serviceMs = performance.now() - started;
      const scope = { clientAccountId: big.clientAccountId, engagementId: "" };
      const direct = headers.slice(200).map((h) => readCorrection(correction(h.text, h.target), scope));
      const embedder = {
        model: BUILTIN_EMBEDDER_MODEL,
        embed: async (inputs: Parameters<typeof embedBuiltin>[0][]) => ({
          model: BUILTIN_EMBEDDER_MODEL,
          vectors: inputs.map(embedBuiltin),
        }),
      };
      const startedDirect = performance.now();
      await Promise.all(direct.map((input) => storeCorrections(database.db, embedder, scope, "bench", [input])));
      const directMs = performance.now() - startedDirect;
      results.push({
        scenario: `learning: 200 concurrent LearnFromCorrection (${label})`,
        metric: "total wall time",
        value: serviceMs,
        unit: "ms",
        baseline: { label: "same 200 upserts straight to Postgres, pool of 10", value: directMs },
        target: "< 1000 ms",
        meetsTarget: serviceMs < 1000,
      });
    };
    await learnConcurrently("empty table", 1);

    // 100,000 patterns through BatchStorePatterns, the HNSW index built once afterwards (a bulk
    // load into a live HNSW index costs minutes here; one build with parallel workers, ~40 s).
    const seedStarted = performance.now();
    await sql`drop index learned_patterns_embedding_hnsw`.execute(database.db);
    const seeded = distinctHeaders(PATTERNS, 42, normalizeHeader);
    for (let start = 0; start < seeded.length; start += 1_000 * 2) {
      await Promise.all(
        [start, start + 1_000].map((from) => {
          const owner = from < BIG_TENANT_SHARE ? big : tenant(`bench_t${(from / 1_000) % 20}_${process.pid}`);
          const corrections = seeded.slice(from, from + 1_000).map((h) => correction(h.text, h.target));
          return corrections.length ? learning.client.batchStorePatterns({ corrections }, { tenant: owner }) : null;
        }),
      );
    }
    await sql
      .raw(
        `set maintenance_work_mem = '1GB'; set max_parallel_maintenance_workers = 2;
         create index learned_patterns_embedding_hnsw on learned_patterns using hnsw (embedding vector_cosine_ops);
         reset maintenance_work_mem; reset max_parallel_maintenance_workers; analyze learned_patterns`,
      )
      .execute(database.db);
    const { rows: counted } = await sql<{ n: number }>`select count(*)::int as n from learned_patterns`.execute(
      database.db,
    );
    console.error(
      `[bench] seeded ${counted[0]?.n} patterns in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    await learnConcurrently("at 100,000 patterns", 2);

    // Queries: half respelled seeded headers (exact match + kNN), half new ones (kNN only).
    const queryNext = prng(7);
    const query = (i: number) =>
      i % 2 === 0
        ? respell(seeded[Math.floor(queryNext() * BIG_TENANT_SHARE)]?.text ?? "host", queryNext)
        : generateHeader(queryNext).text;
    const format = "generic";
    const scope = { clientAccountId: big.clientAccountId, engagementId: "" };
    const timeService = async (headers: string[]) => {
      const started = performance.now();
      await learning.client.getRecommendations(
        { headers: headers.map((text) => ({ text })), context: { format }, topK: 3 },
        { tenant: big },
      );
      return performance.now() - started;
    };
    const timeRaw = async (headers: string[]) => {
      const started = performance.now();
      const probes = headers.map((text) => ({
        sourceKey: normalizeHeader(text),
        vector: embedBuiltin({ text, format }),
      }));
      const statement = evidenceQuery(scope, "field_mapping", probes, BUILTIN_EMBEDDER_MODEL, 12);
      await statement.execute(database.db);
      return performance.now() - started;
    };
    // Service and raw SQL alternate on the same header sets, so both meet the same cache state
    // and the same load from the rest of the machine.
    const measure = async (calls: number, size: number) => {
      const sets = Array.from({ length: calls }, (_, i) => Array.from({ length: size }, (_, j) => query(i * size + j)));
      for (const headers of sets.slice(0, 50)) await Promise.all([timeRaw(headers), timeService(headers)]); // warm up
      const svc: number[] = [];
      const raw: number[] = [];
      for (const [i, headers] of sets.entries()) {
        if (i % 2 === 0) {
          raw.push(await timeRaw(headers));
          svc.push(await timeService(headers));
        } else {
          svc.push(await timeService(headers));
          raw.push(await timeRaw(headers));
        }
      }
      return [
        { p50: percentile(svc, 50), p99: percentile(svc, 99) },
        { p50: percentile(raw, 50), p99: percentile(raw, 99) },
      ] as const;
    };
    const [svc1, raw1] = await measure(LATENCY_CALLS, 1);
    const [svc20, raw20] = await measure(IMPORT_CALLS, 20);
    for (const [size, svc, raw] of [
      [1, svc1, raw1],
      [20, svc20, raw20],
    ] as const) {
      const scenario = `learning: GetRecommendations, ${size} header${size > 1 ? "s" : ""}, 100,000 patterns`;
      const baseline = "same SQL straight to Postgres";
      results.push(
        { scenario, metric: "p50 latency", value: svc.p50, unit: "ms", baseline: { label: baseline, value: raw.p50 } },
        {
          scenario,
          metric: "p99 latency",
          value: svc.p99,
          unit: "ms",
          baseline: { label: baseline, value: raw.p99 },
          ...(size === 1 ? { target: "< 10 ms", meetsTarget: svc.p99 < 10 } : {}),
        },
        {
          scenario,
          metric: "service overhead (p50 service / p50 raw SQL)",
          value: svc.p50 / raw.p50,
          unit: "x",
          baseline: { label: "raw SQL", value: 1 },
          target: "<= 1.5x",
          meetsTarget: svc.p50 / raw.p50 <= 1.5,
        },
      );
    }

    // recall@10: the service's HNSW answer against an exact scan of the same rows. Ties at the
    // 10th distance are common (respelled headers share vectors), so a hit is any returned
    // pattern no farther than the exact 10th neighbour.
    let hits = 0;
    let idHits = 0;
    for (let i = 0; i < RECALL_QUERIES; i++) {
      const text = query(i);
      const answer = await learning.client.findSimilarPatterns({ text, k: 10, context: { format } }, { tenant: big });
      const exact = await database.db.connection().execute(async (conn) => {
        await sql.raw("begin; set local enable_indexscan = off").execute(conn);
        const { rows } = await similarQuery(
          scope,
          "field_mapping",
          embedBuiltin({ text, format }),
          BUILTIN_EMBEDDER_MODEL,
          10,
        ).execute(conn);
        await sql`commit`.execute(conn);
        return rows;
      });
      // Rows come back unordered (usage counters are joined on after the limit).
      const tenth = 1 - Math.min(...exact.map((row) => row.similarity));
      const exactIds = new Set(exact.map((row) => row.id));
      for (const found of answer.patterns) {
        if (1 - found.similarity <= tenth + 1e-9) hits++;
        if (exactIds.has(found.pattern?.id ?? "")) idHits++;
      }
    }
    const recall = hits / (RECALL_QUERIES * 10);
    results.push({
      scenario: "learning: FindSimilarPatterns k=10, 100,000 patterns (HNSW, iterative scan)",
      metric: "recall@10",
      value: recall,
      unit: "",
      baseline: { label: "exact scan; same-id recall", value: idHits / (RECALL_QUERIES * 10) },
      target: ">= 0.95",
      meetsTarget: recall >= 0.95,
    });
    return results;
  } finally {
    learning.close();
    await service.stop("SIGTERM");
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
  }
}
