import { recordSpanError } from "@migrate/telemetry";
import { type Attributes, SpanKind, trace } from "@opentelemetry/api";
import type pg from "pg";

const tracer = trace.getTracer("@migrate/db");

// The statement is the SQL (values are never recorded); a generated bulk statement stays bounded.
const MAX_TEXT = 2_048;

/**
 * Gives each query `client` runs a client span, but only under a span that is recorded. The pg
 * instrumentation this replaces made its span, attributes and callback bindings for every query,
 * sampled or not: with nothing sampled that was most of tracing's cost on a database read. Spans
 * keep its names and attributes (`pg.query:<VERB> <database>`, `db.system`, `db.namespace`,
 * `db.query.text`). Callback and streaming queries (a cursor, COPY) pass through untraced: kysely,
 * the mesh's only caller, runs every statement as a promise.
 */
export function traceQueries(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  // Where the client connected, as pg parsed it from the connection string.
  const database = client.database ?? "";
  const base: Attributes = {
    "db.system": "postgresql",
    "db.system.name": "postgresql",
    "db.namespace": database,
    "server.address": client.host,
    "server.port": client.port,
  };
  const traced = function (this: pg.PoolClient, ...args: unknown[]) {
    const first = args[0] as { text?: unknown; submit?: unknown } | string | undefined;
    const untraced =
      !trace.getActiveSpan()?.isRecording() ||
      typeof args.at(-1) === "function" ||
      (typeof first === "object" && typeof first?.submit === "function");
    if (untraced) return query.apply(this, args);
    const text = typeof first === "string" ? first : typeof first?.text === "string" ? first.text : "";
    const operation = verb(text);
    const span = tracer.startSpan(`pg.query:${operation} ${database}`, {
      kind: SpanKind.CLIENT,
      attributes: { ...base, "db.operation.name": operation, "db.query.text": text.slice(0, MAX_TEXT) },
    });
    const failed = (error: unknown) => {
      recordSpanError(span, error, { fault: true });
      span.end();
    };
    let result: Promise<unknown>;
    try {
      result = query.apply(this, args) as Promise<unknown>;
    } catch (error) {
      failed(error);
      throw error;
    }
    result.then(() => span.end(), failed);
    return result;
  };
  client.query = traced as typeof client.query;
}

/** The statement's first word, upper-cased (SELECT, INSERT, WITH...), as the instrumentation named it. */
function verb(text: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match ? (match[1] as string).toUpperCase() : "QUERY";
}
