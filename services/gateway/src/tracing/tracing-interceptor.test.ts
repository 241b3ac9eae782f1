import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tracingInterceptor } from "./tracing-interceptor.ts";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
beforeEach(() => exporter.reset());

// An in-memory Connect router: no http instrumentation runs, as on an http2 server.
const transport = createRouterTransport(
  (router) =>
    router.service(FlowsService, {
      getFlow: async (request) => {
        if (request.flowId === "gone") {
          throw new ConnectError("flow service unavailable", Code.Unavailable, { "x-error-code": "UNAVAILABLE" });
        }
        return {};
      },
    }),
  { router: { interceptors: [tracingInterceptor()] } },
);
const flows = createClient(FlowsService, transport);
const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("Connect tracing interceptor", () => {
  it("continues the caller's traceparent as a server span with rpc attributes", async () => {
    await flows.getFlow({ flowId: "f1" }, { headers: { traceparent } });
    await provider.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe("migrate.gateway.v1.FlowsService/GetFlow");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(span?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(span?.attributes).toMatchObject({
      "rpc.system": "connect_rpc",
      "rpc.service": "migrate.gateway.v1.FlowsService",
      "rpc.method": "GetFlow",
    });
  });

  it("marks a failed call with its mesh code", async () => {
    await expect(flows.getFlow({ flowId: "gone" }, { headers: { traceparent } })).rejects.toBeInstanceOf(ConnectError);
    await provider.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("UNAVAILABLE");
  });
});
