import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";

// Failures of the service itself; the other codes are the caller's mistakes (bad input, unknown id).
const FAULT_CODES = new Set(["INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"]);

/** The stable error code of `error` (a MeshError's code), else INTERNAL. */
export function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : "INTERNAL";
}

/** True when `error` is the service's failure rather than the caller's (see FAULT_CODES). */
export function isFault(error: unknown): boolean {
  return FAULT_CODES.has(errorCodeOf(error));
}

/**
 * Marks where a failure happened: `error.type` (the error code) on `span`, and, for a fault, an
 * `exception` event and status ERROR so Jaeger shows the span red. A caller's mistake (NOT_FOUND,
 * INVALID_ARGUMENT) only gets the attribute; it is not this span's failure. `code` overrides the
 * code read from `error` (a Connect error carries the mesh code in its metadata).
 */
export function recordSpanError(
  span: Span | undefined,
  error: unknown,
  options: { fault?: boolean; code?: string } = {},
): void {
  if (!span?.isRecording()) return;
  const code = options.code ?? errorCodeOf(error);
  span.setAttribute("error.type", code);
  if (!(options.fault ?? FAULT_CODES.has(code))) return;
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : { name: code, message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** `recordSpanError` on the active span (a request's server span where the error is answered). */
export function recordActiveSpanError(error: unknown, options: { fault?: boolean; code?: string } = {}): void {
  recordSpanError(trace.getActiveSpan(), error, options);
}
