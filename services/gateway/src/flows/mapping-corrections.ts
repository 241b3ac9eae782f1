import { MeshError } from "@migrate/errors";

export interface MappingCorrection {
  sourceField: string;
  /** Empty: keep the column as a custom attribute. */
  targetField: string;
}

/**
 * The corrections of an approve request body, `{"corrections":[{"source_field","target_field"}]}`:
 * no body, `{}` or an empty list approve every suggestion as it is. A malformed body is
 * INVALID_ARGUMENT naming the culprit; whether the fields exist is the flow service's to say.
 */
export function parseCorrections(body: unknown): MappingCorrection[] {
  if (body === undefined) return [];
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid('the body must be a JSON object such as {"corrections":[...]}', "body");
  }
  const { corrections } = body as { corrections?: unknown };
  if (corrections === undefined || corrections === null) return [];
  if (!Array.isArray(corrections)) throw invalid("corrections must be an array", "corrections");
  return corrections.map((item: unknown, index) => {
    const where = `corrections[${index}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw invalid(`${where} must be an object with source_field and target_field`, where);
    }
    const { source_field: source, target_field: target } = item as Record<string, unknown>;
    if (typeof source !== "string" || source === "") {
      throw invalid(`${where}.source_field must be a non-empty string`, `${where}.source_field`);
    }
    if (target !== undefined && target !== null && typeof target !== "string") {
      throw invalid(
        `${where}.target_field must be a string (empty or null: keep as a custom attribute)`,
        `${where}.target_field`,
      );
    }
    return { sourceField: source, targetField: target ?? "" };
  });
}

function invalid(message: string, field: string): MeshError {
  return new MeshError("INVALID_ARGUMENT", message, { field });
}
