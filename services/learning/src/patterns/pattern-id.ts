import { MeshError } from "@migrate/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** NOT_FOUND for an unknown id, a malformed one and another tenant's alike. */
export function patternNotFound(id: string): MeshError {
  return new MeshError("NOT_FOUND", "pattern not found", { field: "pattern_id", value: id.slice(0, 64) });
}

/** A pattern id the caller gave, checked for shape (a malformed one is simply not found). */
export function readPatternId(id: string): string {
  const trimmed = id.trim();
  if (!UUID.test(trimmed)) throw patternNotFound(trimmed);
  return trimmed.toLowerCase();
}
