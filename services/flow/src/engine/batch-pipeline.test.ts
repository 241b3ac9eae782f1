import { MeshError } from "@migrate/errors";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Page, runPipeline } from "./batch-pipeline.ts";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer("test");

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
beforeEach(() => exporter.reset());

const rows = [1, 2, 3, 4, 5];
const pageAfter = async (after: number): Promise<Page<number>> => {
  const items = rows.filter((row) => row > after).slice(0, 2);
  return { first: items[0] ?? after, last: items[items.length - 1] ?? after, items };
};

/** Runs the pipeline inside a phase span, as the engine does; returns the finished spans. */
async function inPhase(process: (page: Page<number>) => Promise<{ issues: number }>, seen: string[] = []) {
  const outcome = await tracer.startActiveSpan("flow.phase data_validation", async (phase) => {
    try {
      await runPipeline({
        after: 0,
        inFlight: 2,
        stopping: () => false,
        nextPage: pageAfter,
        process: async (page) => {
          seen.push(`process ${page.first}: ${trace.getActiveSpan()?.spanContext().spanId}`);
          return process(page);
        },
        commit: async (page) => {
          seen.push(`commit ${page.first}: ${trace.getActiveSpan()?.spanContext().spanId}`);
        },
        counts: (result) => ({ "flow.batch.issues": result.issues }),
      });
      return "completed";
    } catch (error) {
      return error;
    } finally {
      phase.end();
    }
  });
  await provider.forceFlush();
  return { outcome, spans: exporter.getFinishedSpans() };
}

describe("batch spans", () => {
  it("gives each page a child span of the phase, its work inside it, with its counts", async () => {
    const seen: string[] = [];
    const { outcome, spans } = await inPhase(async (page) => ({ issues: page.items.length * 10 }), seen);
    expect(outcome).toBe("completed");
    const phase = spans.find((span) => span.name.startsWith("flow.phase"));
    const batches = spans.filter((span) => span.name === "flow.batch");
    expect(batches.map((span) => span.attributes)).toEqual([
      {
        "flow.batch.index": 0,
        "flow.batch.first_row": 1,
        "flow.batch.last_row": 2,
        "flow.batch.records": 2,
        "flow.batch.issues": 20,
      },
      {
        "flow.batch.index": 1,
        "flow.batch.first_row": 3,
        "flow.batch.last_row": 4,
        "flow.batch.records": 2,
        "flow.batch.issues": 20,
      },
      {
        "flow.batch.index": 2,
        "flow.batch.first_row": 5,
        "flow.batch.last_row": 5,
        "flow.batch.records": 1,
        "flow.batch.issues": 10,
      },
    ]);
    for (const batch of batches) expect(batch.parentSpanContext?.spanId).toBe(phase?.spanContext().spanId);
    // The agent call and the commit of a page run in that page's span (their spans nest under it).
    for (const batch of batches) {
      const id = batch.spanContext().spanId;
      const first = batch.attributes["flow.batch.first_row"];
      expect(seen).toContain(`process ${first}: ${id}`);
      expect(seen).toContain(`commit ${first}: ${id}`);
    }
  });

  it("marks the batch whose agent call failed, and ends the pages dropped after it", async () => {
    const { outcome, spans } = await inPhase(async (page) => {
      if (page.first === 3) throw new MeshError("UNAVAILABLE", "the agent service did not answer ValidateRecords");
      return { issues: 0 };
    });
    expect(outcome).toBeInstanceOf(MeshError);
    const batches = spans.filter((span) => span.name === "flow.batch");
    const failed = batches.find((span) => span.attributes["flow.batch.first_row"] === 3);
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("UNAVAILABLE");
    expect(failed?.events.map((event) => event.name)).toEqual(["exception"]);
    expect(batches.find((span) => span.attributes["flow.batch.first_row"] === 1)?.status.code).toBe(
      SpanStatusCode.UNSET,
    );
    expect(
      batches.find((span) => span.attributes["flow.batch.first_row"] === 5)?.attributes["flow.batch.dropped"],
    ).toBe(true);
  });
});
