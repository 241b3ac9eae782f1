import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AlwaysOffSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, withTestSchema } from "./create-db.ts";

interface Db {
  notes: { id: number; body: string };
}

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() });
const finished = async () => {
  await provider.forceFlush();
  return exporter.getFinishedSpans().filter((span) => span.name.startsWith("pg.query"));
};

const schema = withTestSchema("query_spans");
const { db, close } = createDb<Db>({
  url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  schema,
  name: "query-spans-test",
});

beforeAll(async () => {
  // What the NodeSDK registers in a running service.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  await db.schema.createSchema(schema).execute();
  await db.schema.createTable(`${schema}.notes`).addColumn("id", "integer").addColumn("body", "text").execute();
});
afterEach(() => exporter.reset());
afterAll(async () => {
  await db.schema.dropSchema(schema).cascade().execute();
  await close();
});

describe("database spans", () => {
  it("gives each query under a recorded span its own client span, named by its statement", async () => {
    const parent = provider.getTracer("test").startSpan("request");
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await db.insertInto("notes").values({ id: 1, body: "secret value" }).execute();
      await db.selectFrom("notes").selectAll().where("id", "=", 1).execute();
    });
    parent.end();
    const spans = await finished();
    expect(spans.map((span) => span.name)).toEqual([
      expect.stringMatching(/^pg\.query:INSERT \S+$/),
      expect.stringMatching(/^pg\.query:SELECT \S+$/),
    ]);
    for (const span of spans) {
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.attributes).toMatchObject({
        "db.system": "postgresql",
        "db.namespace": expect.stringMatching(/./),
        "server.port": expect.any(Number),
      });
    }
    // The SQL is recorded, never the values it was given.
    expect(spans[0]?.attributes["db.query.text"]).toMatch(/^insert into "notes"/);
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("secret value");
  });

  it("makes no span outside a request, nor under one that is not sampled", async () => {
    await db.selectFrom("notes").selectAll().execute();
    const notRecorded = unsampled.getTracer("test").startSpan("request");
    expect(notRecorded.isRecording()).toBe(false);
    await context.with(trace.setSpan(context.active(), notRecorded), () =>
      db.selectFrom("notes").selectAll().execute(),
    );
    expect(await finished()).toEqual([]);
  });

  it("marks a failed query on its span and still fails the caller's query", async () => {
    const parent = provider.getTracer("test").startSpan("request");
    const failing = context.with(trace.setSpan(context.active(), parent), () =>
      sql`select * from no_such_table`.execute(db),
    );
    await expect(failing).rejects.toThrow(/no_such_table/);
    parent.end();
    const [span] = await finished();
    expect(span?.name).toMatch(/^pg\.query:SELECT /);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });
});
