import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { UnpatchedEmitterContextManager } from "./context-manager.ts";
import { inHttpServerSpan, inServerSpan, nameServerSpan, recordSpanError, serviceResourceAttributes } from "./index.ts";
import { decodeOtlpTraces } from "./testing/index.ts";

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
const provider = new TracerProvider({
  resource: resourceFromAttributes({ "service.name": "migrate-test" }),
  spanProcessors: [processor],
});
const tracer = provider.getTracer("test");
// The simple processor hands spans to the exporter asynchronously.
const finished = async () => {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
};

beforeAll(() => {
  // What the NodeSDK registers in a running service.
  context.setGlobalContextManager(new UnpatchedEmitterContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterEach(() => exporter.reset());

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("service resource", () => {
  it("names the service after its main module, at its package's version", () => {
    const attributes = serviceResourceAttributes(`${process.cwd()}/services/flow/src/main.ts`, {
      SERVICE_INSTANCE: "flow-7",
    });
    expect(attributes).toEqual({
      "service.name": "migrate-flow",
      "service.version": "0.1.0",
      "service.namespace": "migrate-mesh",
      "service.instance.id": "flow-7",
    });
  });

  it("leaves the name to the SDK's default (or OTEL_SERVICE_NAME) for any other entry point", () => {
    const attributes = serviceResourceAttributes("/srv/scripts/demo.ts", {});
    expect(attributes["service.name"]).toBeUndefined();
    expect(attributes["service.instance.id"]).toMatch(/-\d+$/);
  });
});

describe("errors on spans", () => {
  it("marks a fault red with an exception event, and only tags a caller's mistake", async () => {
    tracer.startActiveSpan("fault", (span) => {
      recordSpanError(span, Object.assign(new Error("database is gone"), { code: "UNAVAILABLE" }));
      span.end();
    });
    tracer.startActiveSpan("mistake", (span) => {
      recordSpanError(span, Object.assign(new Error("no such flow"), { code: "NOT_FOUND" }));
      span.end();
    });
    const [fault, mistake] = await finished();
    expect(fault?.status).toEqual({ code: SpanStatusCode.ERROR, message: "database is gone" });
    expect(fault?.attributes["error.type"]).toBe("UNAVAILABLE");
    expect(fault?.events.map((event) => event.name)).toEqual(["exception"]);
    expect(mistake?.status.code).toBe(SpanStatusCode.UNSET);
    expect(mistake?.attributes["error.type"]).toBe("NOT_FOUND");
    expect(mistake?.events).toEqual([]);
  });
});

describe("server spans", () => {
  it("renames and annotates the span an instrumentation already started", async () => {
    await tracer.startActiveSpan("POST", { kind: SpanKind.SERVER }, async (span) => {
      const answer = await inServerSpan(
        {
          name: "migrate.gateway.v1.FlowsService/GetFlow",
          attributes: { "rpc.system": "connect_rpc" },
          headers: headers({}),
        },
        async () => "answered",
      );
      expect(answer).toBe("answered");
      span.end();
    });
    await tracer.startActiveSpan("GET", { kind: SpanKind.SERVER }, async (span) => {
      nameServerSpan("GET /v1/flows/{id}", { "http.route": "/v1/flows/{id}" });
      span.end();
    });
    const [connect, rest] = await finished();
    expect(connect?.name).toBe("migrate.gateway.v1.FlowsService/GetFlow");
    expect(connect?.attributes["rpc.system"]).toBe("connect_rpc");
    expect(rest?.name).toBe("GET /v1/flows/{id}");
    expect(rest?.attributes["http.route"]).toBe("/v1/flows/{id}");
  });

  it("starts a server span continuing the caller's traceparent when none is active", async () => {
    const failure = Object.assign(new Error("flow service down"), { code: "UNAVAILABLE" });
    await expect(
      inServerSpan(
        {
          name: "migrate.gateway.v1.FlowsService/CreateFlow",
          attributes: { "rpc.method": "CreateFlow" },
          headers: headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }),
        },
        async () => {
          throw failure;
        },
      ),
    ).rejects.toBe(failure);
    const [span] = await finished();
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(span?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("keeps a request's path on its span without the query, and no more than 1 KiB of it", async () => {
    const server = createServer((req, res) => inHttpServerSpan(req, res, () => res.end("ok")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const long = `/v1/flows/${"x".repeat(5_000)}`;
      for (const path of ["/v1/flows?token=secret", `${long}?q=1`])
        await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      const paths = (await finished()).map((span) => span.attributes["url.path"]);
      expect(paths).toEqual(["/v1/flows", long.slice(0, 1_024)]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("context manager", () => {
  it("keeps a request's span in the listeners its handler adds, though the emitters are left unpatched", async () => {
    const seen: Record<string, Span | undefined> = {};
    let requestSpan: Span | undefined;
    const server = createServer((req, res) => {
      tracer.startActiveSpan("GET", { kind: SpanKind.SERVER }, (span) => {
        requestSpan = span;
        // What the instrumentations do with each request and response.
        expect(context.bind(context.active(), res)).toBe(res);
        expect(Object.hasOwn(res, "on")).toBe(false);
        res.once("close", () => {
          seen.close = trace.getActiveSpan();
          span.end();
        });
        const bound = context.bind(context.active(), () => trace.getActiveSpan());
        setImmediate(() => {
          seen.bound = context.with(ROOT_CONTEXT, bound);
          req.resume().once("end", () => res.end("ok"));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
      await finished();
      expect(requestSpan).toBeDefined();
      expect(seen.close).toBe(requestSpan);
      expect(seen.bound).toBe(requestSpan);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("OTLP decoding", () => {
  it("reads back what the OTLP exporter sends: ids, parents, kinds, attributes, events, status, resource", async () => {
    tracer.startActiveSpan("parent", { kind: SpanKind.SERVER, attributes: { "flow.id": "f1" } }, (parent) => {
      tracer.startActiveSpan("child", { kind: SpanKind.PRODUCER, attributes: { "flow.batch.records": 2 } }, (child) => {
        recordSpanError(child, Object.assign(new Error("boom"), { code: "INTERNAL" }));
        child.end();
      });
      parent.end();
    });
    const spans = await finished();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    const decoded = decodeOtlpTraces(bytes as Uint8Array);
    const parent = decoded.find((span) => span.name === "parent");
    const child = decoded.find((span) => span.name === "child");
    expect(parent).toMatchObject({
      kind: 2,
      parentSpanId: "",
      attributes: { "flow.id": "f1" },
      resource: { "service.name": "migrate-test" },
      scope: "test",
    });
    expect(child).toMatchObject({
      kind: 4,
      traceId: parent?.traceId,
      parentSpanId: parent?.spanId,
      attributes: { "flow.batch.records": 2, "error.type": "INTERNAL" },
      status: { code: 2, message: "boom" },
    });
    expect(child?.events[0]).toMatchObject({ name: "exception", attributes: { "exception.message": "boom" } });
    expect(child && child.endTimeUnixNano >= child.startTimeUnixNano).toBe(true);
  });
});
