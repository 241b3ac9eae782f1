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

/** A promise with its resolve and reject, to order a test's steps by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const onePerPage = async (after: number): Promise<Page<number> | undefined> =>
  after >= 6 ? undefined : { first: after + 1, last: after + 1, items: [after + 1] };

describe("pages stored side by side", () => {
  it("stores each page as soon as it is processed, in any order, and commits them in page order", async () => {
    const log: string[] = [];
    const processed = new Map([1, 2, 3, 4, 5, 6].map((row) => [row, deferred<number>()]));
    const stores = new Map([1, 2, 3, 4, 5, 6].map((row) => [row, deferred()]));
    const run = runPipeline({
      after: 0,
      inFlight: 2,
      stopping: () => false,
      nextPage: onePerPage,
      process: (page) => {
        log.push(`process ${page.first}`);
        return processed.get(page.first)?.promise as Promise<number>;
      },
      store: async (page) => {
        log.push(`store ${page.first}`);
        await stores.get(page.first)?.promise;
        log.push(`stored ${page.first}`);
      },
      commit: async (page) => {
        log.push(`commit ${page.first}`);
      },
    });
    await tick();
    expect(log).toEqual(["process 1", "process 2"]);
    // Page 2 is processed first: stored at once, and page 3 goes to the agent before anything commits.
    processed.get(2)?.resolve(2);
    await tick();
    expect(log).toEqual(["process 1", "process 2", "store 2", "process 3"]);
    stores.get(2)?.resolve();
    await tick();
    expect(log).not.toContain("commit 2");
    processed.get(1)?.resolve(1);
    processed.get(3)?.resolve(3);
    await tick();
    // Two stores at once; page 2 still waits for page 1 to commit.
    expect(log.filter((line) => line.startsWith("store "))).toEqual(["store 2", "store 1", "store 3"]);
    expect(log).not.toContain("commit 2");
    stores.get(3)?.resolve();
    stores.get(1)?.resolve();
    for (const row of [4, 5, 6]) {
      await tick();
      processed.get(row)?.resolve(row);
      stores.get(row)?.resolve();
    }
    await run;
    expect(log.filter((line) => line.startsWith("commit"))).toEqual([1, 2, 3, 4, 5, 6].map((row) => `commit ${row}`));
    for (const row of [1, 2, 3, 4, 5, 6]) {
      expect(log.indexOf(`stored ${row}`)).toBeLessThan(log.indexOf(`commit ${row}`));
    }
  });

  it("keeps at most twice inFlight pages uncommitted", async () => {
    let uncommitted = 0;
    let most = 0;
    const first = deferred<number>();
    await Promise.all([
      runPipeline({
        after: 0,
        inFlight: 2,
        stopping: () => false,
        nextPage: async (after) =>
          after >= 20 ? undefined : { first: after + 1, last: after + 1, items: [after + 1] },
        process: async (page) => {
          uncommitted++;
          most = Math.max(most, uncommitted);
          // Page 1 is slow: the later ones pile up behind it, processed but not committed.
          return page.first === 1 ? first.promise : page.first;
        },
        store: async () => {},
        commit: async () => {
          uncommitted--;
        },
      }),
      tick().then(() => first.resolve(1)),
    ]);
    expect(most).toBe(4);
  });

  it("after a failure starts no further store and returns only once the stores under way have ended", async () => {
    const log: string[] = [];
    const slowStore = deferred();
    const lateProcess = deferred<number>();
    const run = runPipeline({
      after: 0,
      inFlight: 3,
      stopping: () => false,
      nextPage: async (after) => (after >= 3 ? undefined : { first: after + 1, last: after + 1, items: [after + 1] }),
      process: async (page) => {
        if (page.first === 1) throw new MeshError("INVALID_ARGUMENT", "bad batch");
        if (page.first === 3) return lateProcess.promise;
        return page.first;
      },
      store: async (page) => {
        log.push(`store ${page.first}`);
        await slowStore.promise;
        log.push(`stored ${page.first}`);
      },
      commit: async (page) => {
        log.push(`commit ${page.first}`);
      },
    });
    let settled = false;
    run
      .catch(() => {})
      .finally(() => {
        settled = true;
      });
    await tick();
    expect(log).toEqual(["store 2"]);
    expect(settled).toBe(false);
    slowStore.resolve();
    await expect(run).rejects.toThrow("bad batch");
    lateProcess.resolve(3);
    await tick();
    expect(log).toEqual(["store 2", "stored 2"]);
  });
});
