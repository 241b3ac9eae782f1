import { MeshError } from "@migrate/errors";
import type { AssetRef, Connection, DependencyEdge } from "../agents/dependency-analysis.ts";

/**
 * The whole-flow calls' lists (AssetRef, Connection, DependencyEdge) travel as JSON arrays in
 * protobuf's canonical JSON form with proto field names (int64 as a number or a string, fields
 * at their default may be left out). Parsed natively here into the agents' own shapes.
 */

export type Json = Record<string, unknown>;

/**
 * Reads a field's chunks as they arrive, message after message of a stream: each chunk must be
 * a JSON array of objects. Chunks and items are counted across the whole stream, so an error
 * names the field, the chunk (from 0) and the item (from 1) as the sender numbered them.
 */
export function listReader<T>(field: string, toItem: (json: Json) => T) {
  let chunkNumber = 0;
  let itemNumber = 0;
  return {
    read(chunks: readonly string[]): T[] {
      const items: T[] = [];
      for (const chunk of chunks) {
        for (const item of parseChunk(chunk, field, chunkNumber++))
          items.push(toItem(object(item, field, itemNumber++)));
      }
      return items;
    },
    /** Items read so far. */
    get count() {
      return itemNumber;
    },
  };
}

export function assetRefOf(ref: Json): AssetRef {
  return {
    row: integer(ref.row_number),
    assetName: text(ref.asset_name),
    hostname: text(ref.hostname),
    fqdn: text(ref.fqdn),
    ipAddresses: Array.isArray(ref.ip_addresses) ? ref.ip_addresses.filter((ip) => typeof ip === "string") : [],
    applicationName: text(ref.application_name),
    tags: stringMap(ref.tags),
  };
}

export function connectionOf(connection: Json): Connection {
  return {
    row: integer(connection.row_number),
    source: text(connection.source),
    destination: text(connection.destination),
    port: integer(connection.port),
    protocol: text(connection.protocol),
  };
}

export function edgeOf(edge: Json): DependencyEdge {
  return {
    sourceRow: integer(edge.source_row_number),
    sourceLabel: text(edge.source_label),
    targetRow: integer(edge.target_row_number),
    targetLabel: text(edge.target_label),
    port: integer(edge.port),
    protocol: text(edge.protocol),
    serviceKind: text(edge.service_kind),
    connectionCount: integer(edge.connection_count),
    external: edge.external === true,
  };
}

/** DependencyEdges as a JSON array with proto field names (every field written: the flow stores them as read). */
export function edgesJson(edges: readonly DependencyEdge[]): string {
  return JSON.stringify(
    edges.map((edge) => ({
      source_row_number: edge.sourceRow,
      source_label: edge.sourceLabel,
      target_row_number: edge.targetRow,
      target_label: edge.targetLabel,
      port: edge.port,
      protocol: edge.protocol,
      service_kind: edge.serviceKind,
      connection_count: edge.connectionCount,
      external: edge.external,
    })),
  );
}

/** One chunk's items; anything but a JSON array is refused naming the field and chunk. */
function parseChunk(chunk: string, field: string, index: number): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(chunk);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value)) {
    throw new MeshError("INVALID_ARGUMENT", `${field}[${index}] is not a JSON array`, {
      field,
      chunk: index,
      value: chunk.slice(0, 80),
    });
  }
  return value;
}

function object(item: unknown, field: string, index: number): Json {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    throw new MeshError("INVALID_ARGUMENT", `${field} item ${index + 1} is not a JSON object`, {
      field,
      item: index + 1,
    });
  }
  return item as Json;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function integer(value: unknown): number {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : 0;
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") out[key] = entry;
  return out;
}
