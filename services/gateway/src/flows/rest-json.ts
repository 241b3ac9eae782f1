import type { DescEnum, DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { isReflectMessage, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

/**
 * A protobuf message as the REST API shows it: proto (snake_case) field names, every field
 * present, int64 as JSON numbers (counts and row numbers stay far below 2^53), enums as their
 * lowercase names without the shared prefix (`data_import`; null when unspecified), and unset
 * `optional` fields and messages as null, so clients can tell "unknown" from 0.
 */
export function restJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Record<string, unknown> {
  return messageJson(reflect(schema, message));
}

/** The lowercase public name of an enum value (`FlowPhase.DATA_IMPORT` → `data_import`); null for 0. */
export function enumName(desc: DescEnum, value: number): string | null {
  if (value === 0) return null;
  const found = desc.value[value];
  return found ? found.localName.toLowerCase() : null;
}

function messageJson(message: ReflectMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of message.fields) out[field.name] = fieldJson(message, field);
  return out;
}

function fieldJson(message: ReflectMessage, field: DescField): unknown {
  switch (field.fieldKind) {
    case "scalar":
      if (field.proto.proto3Optional && !message.isSet(field)) return null;
      return scalarJson(message.get(field));
    case "enum":
      return enumName(field.enum, message.get(field) as number);
    case "message":
      return message.isSet(field) ? messageJson(message.get(field) as ReflectMessage) : null;
    case "list": {
      const items: unknown[] = [];
      for (const item of message.get(field) as Iterable<unknown>) items.push(valueJson(item, field));
      return items;
    }
    case "map": {
      const entries: Record<string, unknown> = {};
      for (const [key, value] of message.get(field) as ReadonlyMap<unknown, unknown>) {
        entries[String(key)] = valueJson(value, field);
      }
      return entries;
    }
  }
}

function valueJson(value: unknown, field: DescField & { fieldKind: "list" | "map" }): unknown {
  if (isReflectMessage(value)) return messageJson(value);
  const kind = field.fieldKind === "list" ? field.listKind : field.mapKind;
  if (kind === "enum" && field.enum) return enumName(field.enum, value as number);
  return scalarJson(value);
}

function scalarJson(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}
