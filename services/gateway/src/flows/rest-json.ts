import type { DescEnum, DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { scalarZeroValue } from "@bufbuild/protobuf/reflect";

/**
 * A protobuf message as the REST API shows it: proto (snake_case) field names, every field
 * present, int64 as JSON numbers (counts and row numbers stay far below 2^53), enums as their
 * lowercase names without the shared prefix (`data_import`; null when unspecified), and unset
 * `optional` fields and messages as null, so clients can tell "unknown" from 0.
 */
export function restJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Record<string, unknown> {
  return converterFor(schema)(message as unknown as Fields);
}

/** The lowercase public name of an enum value (`FlowPhase.DATA_IMPORT` → `data_import`); null for 0. */
export function enumName(desc: DescEnum, value: number): string | null {
  if (value === 0) return null;
  let names = enumNames.get(desc);
  if (!names) {
    names = new Map(desc.values.map((entry) => [entry.number, entry.localName.toLowerCase()]));
    enumNames.set(desc, names);
  }
  return names.get(value) ?? null;
}

// Each enum's lowercase names, made once: a list page names every phase's status and phase.
const enumNames = new WeakMap<DescEnum, Map<number, string>>();

type Fields = Record<string, unknown>;
type Converter = (message: Fields) => Record<string, unknown>;

// One converter per message type, made from its descriptor once: every answer of a list or a
// read goes through here, and walking the descriptor with reflection per message was a visible
// share of a read's CPU.
const converters = new WeakMap<DescMessage, Converter>();

function converterFor(schema: DescMessage): Converter {
  let converter = converters.get(schema);
  if (converter) return converter;
  const fields = schema.fields.map((field) => [field.name, fieldReader(field)] as const);
  converter = (message) => {
    const out: Record<string, unknown> = {};
    for (const [name, read] of fields) out[name] = read(message);
    return out;
  };
  converters.set(schema, converter);
  return converter;
}

/** Reads one field of a message (protobuf-es v2's plain object) as the REST API shows it. */
function fieldReader(field: DescField): (message: Fields) => unknown {
  const { oneof } = field;
  // A oneof member is set only when the oneof's case names it.
  const raw = oneof
    ? (message: Fields) => {
        const chosen = message[oneof.localName] as { case?: string; value?: unknown } | undefined;
        return chosen?.case === field.localName ? chosen.value : undefined;
      }
    : (message: Fields) => message[field.localName];
  switch (field.fieldKind) {
    case "scalar": {
      const optional = field.proto.proto3Optional;
      const zero = scalarJson(scalarZeroValue(field.scalar, false));
      return (message) => {
        const value = raw(message);
        if (value === undefined) return optional ? null : zero;
        return scalarJson(value);
      };
    }
    case "enum": {
      const desc = field.enum;
      return (message) => enumName(desc, (raw(message) as number | undefined) ?? 0);
    }
    case "message": {
      const nested = field.message;
      return (message) => {
        const value = raw(message);
        return value === undefined ? null : converterFor(nested)(value as Fields);
      };
    }
    case "list": {
      const item = itemJson(field);
      return (message) => ((raw(message) as unknown[] | undefined) ?? []).map(item);
    }
    case "map": {
      const item = itemJson(field);
      return (message) => {
        const entries: Record<string, unknown> = {};
        for (const [key, value] of Object.entries((raw(message) as Fields | undefined) ?? {}))
          entries[key] = item(value);
        return entries;
      };
    }
  }
}

function itemJson(field: DescField & { fieldKind: "list" | "map" }): (value: unknown) => unknown {
  const kind = field.fieldKind === "list" ? field.listKind : field.mapKind;
  if (kind === "message" && field.message) {
    const nested = field.message;
    return (value) => converterFor(nested)(value as Fields);
  }
  if (kind === "enum" && field.enum) {
    const desc = field.enum;
    return (value) => enumName(desc, value as number);
  }
  return scalarJson;
}

function scalarJson(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}
