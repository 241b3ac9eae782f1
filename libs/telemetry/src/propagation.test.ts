import { Metadata } from "@grpc/grpc-js";
import { headers } from "@nats-io/nats-core";
import { context, TraceFlags, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  captureTraceCarrier,
  contextFromCarrier,
  extractGrpcMetadata,
  extractNatsHeaders,
  injectGrpcMetadata,
  injectNatsHeaders,
} from "./index.ts";

const parent = trace.setSpanContext(context.active(), {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  traceFlags: TraceFlags.SAMPLED,
});

describe("trace context propagation", () => {
  it("crosses gRPC metadata", () => {
    const md = injectGrpcMetadata(new Metadata(), parent);
    expect(md.get("traceparent")[0]).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(trace.getSpanContext(extractGrpcMetadata(md))?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("crosses NATS headers", () => {
    const h = injectNatsHeaders(headers(), parent);
    expect(trace.getSpanContext(extractNatsHeaders(h))?.spanId).toBe("00f067aa0ba902b7");
  });

  it("survives an outbox row as JSON", () => {
    const stored = JSON.parse(JSON.stringify(captureTraceCarrier(parent)));
    expect(trace.getSpanContext(contextFromCarrier(stored))?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(trace.getSpanContext(contextFromCarrier(null))).toBeUndefined();
  });
});
