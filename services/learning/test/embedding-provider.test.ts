/**
 * The optional OpenAI-compatible embeddings provider, against fake servers on loopback: one that
 * answers (its vectors are stored, old rows are re-embedded at start) and one that hangs (each
 * call falls back to the built-in embedder; the outage is logged once).
 */
import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { type ClientHandle, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../telemetry/test/support/free-port.ts";
import { embedBuiltin } from "../src/embeddings/builtin-embedder.ts";
import { type FakeEmbeddingsServer, startFakeEmbeddingsServer } from "./support/fake-embeddings-server.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PROVIDER_MODEL = "openai:fake-embed:256";
const FALLBACK_LOG = "embedding provider failed; falling back to the built-in embedder";
const schema = withTestSchema("learning_emb");
const tenant: TenantContext = {
  clientAccountId: `emb_${randomUUID().slice(0, 8)}`,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
};
const database = createDb({ url: DATABASE_URL, schema, name: "learning-embeddings-test" });

// The provider's vectors: the built-in embedding of the bare header, reversed (same geometry, so
// recommendations still work, but recognisably not the built-in vector), then 1,280 values the
// service must cut off (a provider that ignores `dimensions`).
const providerVector = (input: string) => [
  ...Array.from(embedBuiltin({ text: input.split(" | ")[0] ?? input })).reverse(),
  ...new Array<number>(1_280).fill(0.25),
];

let answering: FakeEmbeddingsServer;
let hanging: FakeEmbeddingsServer;
let current:
  | {
      service: ServiceProcess;
      handle: ClientHandle<typeof LearningService.method>;
      client: ClientHandle<typeof LearningService.method>["client"];
      lines: string[];
    }
  | undefined;

async function start(env: Record<string, string>, attempts = 3): Promise<NonNullable<typeof current>> {
  const grpcPort = await freePort();
  const lines: string[] = [];
  try {
    const service = await startService("learning", {
      env: {
        DATABASE_URL,
        DATABASE_SCHEMA: schema,
        GRPC_PORT: `${grpcPort}`,
        METRICS_PORT: `${await freePort()}`,
        LOG_LEVEL: "info",
        ...env,
      },
      onLine: (line) => lines.push(line),
    });
    const handle = createClient(LearningService, `dns:///127.0.0.1:${grpcPort}`, {
      credentials: meshCredentials(service.env, "test"),
    });
    current = { service, handle, client: handle.client, lines };
    return current;
  } catch (error) {
    // A free port can be taken by another process before the service binds it: try new ones.
    if (attempts <= 1 || !String(error).includes("EADDRINUSE")) throw error;
    return start(env, attempts - 1);
  }
}

async function stop() {
  current?.handle.close();
  await current?.service.stop("SIGTERM");
  current = undefined;
}

const stored = async () =>
  (
    await sql<{ source_text: string; embedding_model: string; embedding: string }>`
    select source_text, embedding_model, embedding::text as embedding from learned_patterns
    where client_account_id = ${tenant.clientAccountId} order by source_text`.execute(database.db)
  ).rows;

beforeAll(async () => {
  answering = await startFakeEmbeddingsServer(providerVector);
  hanging = await startFakeEmbeddingsServer();
});

afterAll(async () => {
  await stop();
  await answering?.close();
  await hanging?.close();
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
  await database.close();
});

describe("embeddings provider", () => {
  it("re-embeds patterns of the built-in embedder with the provider, and stores the provider's vectors", async () => {
    const builtin = await start({});
    await builtin.client.learnFromCorrection({ correction: { sourceText: "srv_nm", target: "hostname" } }, { tenant });
    await builtin.client.learnFromCorrection(
      { correction: { sourceText: "Memory MB", target: "memory_gb" } },
      { tenant },
    );
    expect((await stored()).map((row) => row.embedding_model)).toEqual(["builtin-hash-v1", "builtin-hash-v1"]);
    await stop();

    const provider = await start({
      EMBEDDINGS_PROVIDER: "openai",
      EMBEDDINGS_BASE_URL: answering.baseUrl,
      EMBEDDINGS_MODEL: "fake-embed",
      EMBEDDINGS_API_KEY: "test-key",
    });
    for (let i = 0; i < 100 && (await stored()).some((row) => row.embedding_model !== PROVIDER_MODEL); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rows = await stored();
    expect(rows.map((row) => row.embedding_model)).toEqual([PROVIDER_MODEL, PROVIDER_MODEL]);
    const vector = JSON.parse(rows[1]?.embedding ?? "[]") as number[];
    const expected = Array.from(embedBuiltin({ text: "srv_nm" })).reverse();
    expect(vector).toHaveLength(256);
    vector.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
    expect(provider.lines.some((line) => line.includes('"reembedded":2'))).toBe(true);
    expect(answering.requests[0]).toMatchObject({
      authorization: "Bearer test-key",
      body: { model: "fake-embed", dimensions: 256 },
    });

    const learned = await provider.client.learnFromCorrection(
      { correction: { sourceText: "Cores", target: "cpu_cores", context: { format: "azure_migrate", headers: [] } } },
      { tenant },
    );
    expect(learned.pattern?.embeddingModel).toBe(PROVIDER_MODEL);
    expect(answering.requests.at(-1)?.body.input).toEqual(["Cores | format: azure_migrate"]);
    const answer = await provider.client.getRecommendations({ headers: [{ text: "srv_name" }] }, { tenant });
    expect(answer.embeddingModel).toBe(PROVIDER_MODEL);
    expect(answer.results[0]?.recommendations[0]?.target).toBe("hostname");
    expect(answer.results[0]?.recommendations[0]?.evidence[0]?.exactMatch).toBe(false);
    expect(provider.lines.some((line) => line.includes(FALLBACK_LOG))).toBe(false);
    await stop();
  });

  it("falls back to the built-in embedder when the provider hangs, logs it once, and keeps answering", async () => {
    const fallback = await start({
      EMBEDDINGS_PROVIDER: "openai",
      EMBEDDINGS_BASE_URL: hanging.baseUrl,
      EMBEDDINGS_MODEL: "fake-embed",
      EMBEDDINGS_TIMEOUT_MS: "300",
      EMBEDDINGS_RETRY_AFTER_MS: "100",
    });
    const durations: number[] = [];
    for (const [sourceText, target] of [
      ["Srv Name", "asset_name"],
      ["IP", "ip_addresses"],
      ["Powerstate", "power_state"],
    ]) {
      const started = Date.now();
      const answer = await fallback.client.learnFromCorrection({ correction: { sourceText, target } }, { tenant });
      durations.push(Date.now() - started);
      expect(answer.pattern?.embeddingModel).toBe("builtin-hash-v1");
      await new Promise((resolve) => setTimeout(resolve, 150)); // past the rest: the provider is tried again
    }
    const answer = await fallback.client.getRecommendations(
      { headers: [{ text: "srv_nm" }, { text: "ip" }] },
      { tenant },
    );
    expect(answer.embeddingModel).toBe("builtin-hash-v1");
    expect(answer.results.map((r) => r.recommendations[0]?.target)).toEqual(["hostname", "ip_addresses"]);

    expect(hanging.requests.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...durations)).toBeLessThan(2_000);
    const logged = fallback.lines.filter((line) => line.includes(FALLBACK_LOG));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? "{}")).toMatchObject({ level: "warn", reason: "timeout", model: PROVIDER_MODEL });
    expect(logged[0]).not.toContain("test-key");
  });
});
