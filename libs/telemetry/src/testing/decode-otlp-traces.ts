import { BinaryReader, type WireType } from "@bufbuild/protobuf/wire";

/** A span as an OTLP receiver sees it, flattened with its resource's attributes. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  links: Array<{ traceId: string; spanId: string }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  scope: string;
  resource: Record<string, unknown>;
}

/**
 * Decodes an OTLP `ExportTraceServiceRequest` (opentelemetry/proto/collector/trace/v1) from its
 * protobuf bytes: the http/protobuf body every OTLP exporter sends and Jaeger accepts. Only the
 * fields a test or an operator reads are kept; unknown fields are skipped.
 */
export function decodeOtlpTraces(bytes: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  forEachField(new BinaryReader(bytes), (field, reader) => {
    if (field !== 1) return false;
    const resourceSpans = new BinaryReader(reader.bytes());
    let resource: Record<string, unknown> = {};
    const scopeSpans: Uint8Array[] = [];
    forEachField(resourceSpans, (f, r) => {
      if (f === 1) resource = readResource(r.bytes());
      else if (f === 2) scopeSpans.push(r.bytes());
      else return false;
      return true;
    });
    for (const scopeBytes of scopeSpans) {
      let scope = "";
      const spanBytes: Uint8Array[] = [];
      forEachField(new BinaryReader(scopeBytes), (f, r) => {
        if (f === 1) scope = readScopeName(r.bytes());
        else if (f === 2) spanBytes.push(r.bytes());
        else return false;
        return true;
      });
      for (const b of spanBytes) spans.push({ ...readSpan(b), scope, resource });
    }
    return true;
  });
  return spans;
}

type Visitor = (field: number, reader: BinaryReader, wireType: WireType) => boolean;

/** Calls `visit` per field; a field the visitor did not read (returned false) is skipped. */
function forEachField(reader: BinaryReader, visit: Visitor): void {
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!visit(field, reader, wireType)) reader.skip(wireType, field);
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function readResource(bytes: Uint8Array): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f !== 1) return false;
    readKeyValue(r.bytes(), attributes);
    return true;
  });
  return attributes;
}

function readScopeName(bytes: Uint8Array): string {
  let name = "";
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f !== 1) return false;
    name = r.string();
    return true;
  });
  return name;
}

function readSpan(bytes: Uint8Array): Omit<ReceivedSpan, "scope" | "resource"> {
  const span: Omit<ReceivedSpan, "scope" | "resource"> = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: "" },
  };
  forEachField(new BinaryReader(bytes), (f, r) => {
    switch (f) {
      case 1:
        span.traceId = hex(r.bytes());
        return true;
      case 2:
        span.spanId = hex(r.bytes());
        return true;
      case 4:
        span.parentSpanId = hex(r.bytes());
        return true;
      case 5:
        span.name = r.string();
        return true;
      case 6:
        span.kind = r.int32();
        return true;
      case 7:
        span.startTimeUnixNano = BigInt(r.fixed64());
        return true;
      case 8:
        span.endTimeUnixNano = BigInt(r.fixed64());
        return true;
      case 9:
        readKeyValue(r.bytes(), span.attributes);
        return true;
      case 11:
        span.events.push(readEvent(r.bytes()));
        return true;
      case 13:
        span.links.push(readLink(r.bytes()));
        return true;
      case 15:
        span.status = readStatus(r.bytes());
        return true;
      default:
        return false;
    }
  });
  return span;
}

function readEvent(bytes: Uint8Array): { name: string; attributes: Record<string, unknown> } {
  const event = { name: "", attributes: {} as Record<string, unknown> };
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f === 2) event.name = r.string();
    else if (f === 3) readKeyValue(r.bytes(), event.attributes);
    else return false;
    return true;
  });
  return event;
}

function readLink(bytes: Uint8Array): { traceId: string; spanId: string } {
  const link = { traceId: "", spanId: "" };
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f === 1) link.traceId = hex(r.bytes());
    else if (f === 2) link.spanId = hex(r.bytes());
    else return false;
    return true;
  });
  return link;
}

function readStatus(bytes: Uint8Array): { code: number; message: string } {
  const status = { code: 0, message: "" };
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f === 2) status.message = r.string();
    else if (f === 3) status.code = r.int32();
    else return false;
    return true;
  });
  return status;
}

function readKeyValue(bytes: Uint8Array, into: Record<string, unknown>): void {
  let key = "";
  let value: unknown;
  forEachField(new BinaryReader(bytes), (f, r) => {
    if (f === 1) key = r.string();
    else if (f === 2) value = readAnyValue(r.bytes());
    else return false;
    return true;
  });
  into[key] = value;
}

function readAnyValue(bytes: Uint8Array): unknown {
  let value: unknown;
  forEachField(new BinaryReader(bytes), (f, r) => {
    switch (f) {
      case 1:
        value = r.string();
        return true;
      case 2:
        value = r.bool();
        return true;
      case 3:
        value = Number(r.int64());
        return true;
      case 4:
        value = r.double();
        return true;
      case 5: {
        const values: unknown[] = [];
        forEachField(new BinaryReader(r.bytes()), (g, s) => {
          if (g !== 1) return false;
          values.push(readAnyValue(s.bytes()));
          return true;
        });
        value = values;
        return true;
      }
      case 7:
        value = hex(r.bytes());
        return true;
      default:
        return false;
    }
  });
  return value;
}
