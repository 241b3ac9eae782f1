import type { IncomingMessage, ServerResponse } from "node:http";
import { type Context, context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { extractHttpHeaders, extractIncomingHeaders, type HeaderReader } from "./propagation.ts";
import { recordSpanError } from "./record-span-error.ts";

export type SpanAttributes = Record<string, string | number | boolean>;

const tracer = trace.getTracer("@migrate/telemetry");

/**
 * Runs `handle` inside one SERVER span for an HTTP request, continuing the caller's
 * `traceparent`: named by the method until a route names it (`nameServerSpan`), ended when the
 * response closes with its status (5xx marks it failed). Made here rather than by the http
 * instrumentation, whose patching of every request and response cost a gateway read about a
 * tenth of its throughput even with nothing sampled.
 */
export function inHttpServerSpan(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const method = req.method ?? "GET";
  const parent: Context = extractIncomingHeaders(req.headers);
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": method, "url.path": pathOf(req.url ?? "/") },
    },
    parent,
  );
  res.once("close", () => {
    if (span.isRecording()) {
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
  context.with(trace.setSpan(parent, span), handle);
}

// Node admits request lines up to its 16 KiB header limit; a span keeps no more of one than this.
const MAX_PATH = 1_024;

/** The request's path without its query, which may hold values that have no place in a trace. */
function pathOf(url: string): string {
  const query = url.indexOf("?");
  return (query < 0 ? url : url.slice(0, query)).slice(0, MAX_PATH);
}

/**
 * Renames the active server span (inHttpServerSpan's, named only "POST") after what the
 * request turned out to be, e.g. `POST /v1/flows/{id}` with `http.route`. No-op when untraced.
 */
export function nameServerSpan(name: string, attributes: SpanAttributes = {}): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(name);
  span.setAttributes(attributes);
}

/**
 * Runs `work` as a server span: the active one when the http instrumentation made it (renamed and
 * annotated), else a new SERVER span continuing the caller's `traceparent` from `headers` (an
 * http2 server, which the instrumentation does not continue). A failure is recorded with the code
 * `errorCode` reads from it, and rethrown.
 */
export async function inServerSpan<T>(
  options: {
    name: string;
    attributes: SpanAttributes;
    headers: HeaderReader;
    errorCode?: (error: unknown) => string;
  },
  work: () => Promise<T>,
): Promise<T> {
  const fail = (span: ReturnType<typeof trace.getActiveSpan>, error: unknown) =>
    recordSpanError(span, error, { code: options.errorCode?.(error) });
  const active = trace.getActiveSpan();
  if (active) {
    nameServerSpan(options.name, options.attributes);
    try {
      return await work();
    } catch (error) {
      fail(active, error);
      throw error;
    }
  }
  const parent = extractHttpHeaders(options.headers, context.active());
  return tracer.startActiveSpan(
    options.name,
    { kind: SpanKind.SERVER, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work();
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
