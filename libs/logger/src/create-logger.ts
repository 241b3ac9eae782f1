import { trace } from "@opentelemetry/api";
import { type Logger, pino } from "pino";

/**
 * Keys that may carry secrets or personal data anywhere in a log object. Inventory rows are
 * never logged whole; these paths catch the rest (headers, tokens, owners' names).
 */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "token",
  "*.token",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "apiKey",
  "*.apiKey",
  "email",
  "*.email",
  "business_owner",
  "*.business_owner",
  "technical_owner",
  "*.technical_owner",
  "databaseUrl",
  "*.databaseUrl",
];

export interface LoggerOptions {
  service: string;
  level?: string;
  instance?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read lines back. */
  destination?: NodeJS.WritableStream;
}

/** JSON logs with service name and, inside a span, its trace and span ids. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, instance: options.instance ?? `${process.pid}` },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const { traceId, spanId } = span.spanContext();
        return { trace_id: traceId, span_id: spanId };
      },
    },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}
