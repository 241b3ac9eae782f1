import { PassThrough } from "node:stream";
import { context, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index.ts";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe("createLogger", () => {
  it("redacts secrets and personal data and names the service", async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: "gateway", destination: stream });
    logger.info({ headers: { authorization: "Bearer abc" }, row: { email: "a@b.c", business_owner: "Ann" } }, "hello");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ service: "gateway", msg: "hello", level: "info" });
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain("Bearer abc");
    expect(text).not.toContain("a@b.c");
    expect(text).not.toContain("Ann");
  });

  it("adds trace and span ids inside a span", async () => {
    // The SDK registers this context manager in a running service.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { stream, lines } = capture();
    const logger = createLogger({ service: "flow", destination: stream });
    const spanContext = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
    };
    context.with(trace.setSpanContext(context.active(), spanContext), () => logger.info("inside"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });
});
