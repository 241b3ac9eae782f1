import type { IncomingHttpHeaders } from "node:http";
import type { Metadata } from "@grpc/grpc-js";
import type { MsgHdrs } from "@nats-io/nats-core";
import { type Context, context, ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * Every boundary (gRPC metadata, NATS headers, outbox rows) carries W3C trace context through
 * these helpers, so context crosses explicitly even where no auto-instrumentation runs.
 * A private propagator is used so the helpers work whether or not the SDK was started.
 */
const propagator = new W3CTraceContextPropagator();

/** The serialisable form of a trace context, as stored in an outbox row. */
export type TraceCarrier = Record<string, string>;

const metadataSetter: TextMapSetter<Metadata> = { set: (md, key, value) => md.set(key, value) };
const metadataGetter: TextMapGetter<Metadata> = {
  get: (md, key) => {
    const values = md.get(key);
    return values.length ? String(values[0]) : undefined;
  },
  keys: (md) => Object.keys(md.getMap()),
};
const headersSetter: TextMapSetter<MsgHdrs> = { set: (h, key, value) => h.set(key, value) };
const headersGetter: TextMapGetter<MsgHdrs | undefined> = {
  get: (h, key) => (h?.has(key) ? h.get(key) : undefined),
  keys: (h) => (h ? [...h.keys()] : []),
};
/** Fetch-style headers (a Connect request's `header`, undici's `Headers`). */
export interface HeaderReader {
  get(name: string): string | null;
  keys(): Iterable<string>;
}
const headerReaderGetter: TextMapGetter<HeaderReader> = {
  get: (h, key) => h.get(key) ?? undefined,
  keys: (h) => [...h.keys()],
};
const incomingGetter: TextMapGetter<IncomingHttpHeaders> = {
  get: (h, key) => {
    const value = h[key];
    return Array.isArray(value) ? value[0] : value;
  },
  keys: (h) => Object.keys(h),
};
const recordSetter: TextMapSetter<TraceCarrier> = {
  set: (c, key, value) => {
    c[key] = value;
  },
};
const recordGetter: TextMapGetter<TraceCarrier> = { get: (c, key) => c[key], keys: (c) => Object.keys(c) };

export function injectGrpcMetadata(md: Metadata, ctx: Context = context.active()): Metadata {
  propagator.inject(ctx, md, metadataSetter);
  return md;
}

export function extractGrpcMetadata(md: Metadata, base: Context = context.active()): Context {
  return propagator.extract(base, md, metadataGetter);
}

export function injectNatsHeaders(headers: MsgHdrs, ctx: Context = context.active()): MsgHdrs {
  propagator.inject(ctx, headers, headersSetter);
  return headers;
}

export function extractNatsHeaders(headers: MsgHdrs | undefined, base: Context = ROOT_CONTEXT): Context {
  return propagator.extract(base, headers, headersGetter);
}

/** The caller's W3C context from fetch-style HTTP headers (`traceparent`, `tracestate`). */
export function extractHttpHeaders(headers: HeaderReader, base: Context = context.active()): Context {
  return propagator.extract(base, headers, headerReaderGetter);
}

/** The caller's W3C context from a Node server's incoming request headers. */
export function extractIncomingHeaders(headers: IncomingHttpHeaders, base: Context = ROOT_CONTEXT): Context {
  return propagator.extract(base, headers, incomingGetter);
}

/** Captures the active context at commit time, for the outbox relay to continue later. */
export function captureTraceCarrier(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagator.inject(ctx, carrier, recordSetter);
  return carrier;
}

export function contextFromCarrier(carrier: TraceCarrier | null | undefined, base: Context = ROOT_CONTEXT): Context {
  return carrier ? propagator.extract(base, carrier, recordGetter) : base;
}
