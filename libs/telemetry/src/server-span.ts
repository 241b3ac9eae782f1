import { context, SpanKind, trace } from "@opentelemetry/api";
import { extractHttpHeaders, type HeaderReader } from "./propagation.ts";
import { recordSpanError } from "./record-span-error.ts";

export type SpanAttributes = Record<string, string | number | boolean>;

const tracer = trace.getTracer("@migrate/telemetry");

/**
 * Renames the active server span (the http instrumentation's, named only "POST") after what the
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
