import { MeshError } from "@migrate/errors";
import type { AssetRef, Connection, DependencyEdge } from "../agents/dependency-analysis.ts";

/**
 * The whole-flow calls' lists (AssetRef, Connection, DependencyEdge) travel as JSON arrays in
 * protobuf's canonical JSON form with proto field names (int64 as a number or a string, fields
 * at their default may be left out). Parsed natively here into the agents' own shapes.
 */

type Json = Record<string, unknown>;

/** The AssetRef list of a request field; an entry that is not an object is refused with its place. */
export function assetRefsFrom(chunks: readonly string[], field: string): AssetRef[] {
  return parseChunks(chunks, field).map((item, index) => {
    const ref = object(item, field, index);
    return {
      row: integer(ref.row_number),
      assetName: text(ref.asset_name),
      hostname: text(ref.hostname),
      fqdn: text(ref.fqdn),
      ipAddresses: Array.isArray(ref.ip_addresses) ? ref.ip_addresses.filter((ip) => typeof ip === "string") : [],
      applicationName: text(ref.application_name),
      tags: stringMap(ref.tags),
    };
  });
}

export function connectionsFrom(chunks: readonly string[], field: string): Connection[] {
  return parseChunks(chunks, field).map((item, index) => {
    const connection = object(item, field, index);
    return {
      row: integer(connection.row_number),
      source: text(connection.source),
      destination: text(connection.destination),
      port: integer(connection.port),
      protocol: text(connection.protocol),
    };
  });
}

export function edgesFrom(chunks: readonly string[], field: string): DependencyEdge[] {
  return parseChunks(chunks, field).map((item, index) => {
    const edge = object(item, field, index);
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
  });
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

/** The items of a field's chunks, each a JSON array; anything else is refused naming the field and chunk. */
function parseChunks(chunks: readonly string[], field: string): unknown[] {
  const items: unknown[] = [];
  chunks.forEach((chunk, index) => {
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
    for (const item of value) items.push(item);
  });
  return items;
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
