import { isMeshError, MeshError } from "@migrate/errors";
import type { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import type { CallOptions, ServiceClient } from "@migrate/grpc";

export type LearningClient = ServiceClient<typeof LearningService.method>;

/** One correction as the public API takes it (REST body item, Connect `SubmittedCorrection`). */
export interface SubmittedCorrection {
  sourceField: string;
  targetField: string;
  /** Empty: unknown. */
  format: string;
  /** Empty: field_mapping. */
  patternType: string;
}

const MAX_LIMIT = 1_000;

/**
 * `?limit=` of a pattern list: empty means the service's default (100); anything but an integer
 * from 1 to 1000 is INVALID_ARGUMENT.
 */
export function readPatternLimit(value: string | null): number {
  if (value === null || value.trim() === "") return 0;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new MeshError("INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_LIMIT}`, {
      field: "limit",
      value: value.slice(0, 40),
    });
  }
  return limit;
}

/**
 * The corrections of a `POST /v1/learning/corrections` body,
 * `{"corrections":[{"source_field","target_field","format"?,"pattern_type"?}]}`. A malformed body
 * is INVALID_ARGUMENT naming the culprit; whether a target is valid is the learning service's
 * to say (it lists the valid ones).
 */
export function parseSubmittedCorrections(body: unknown): SubmittedCorrection[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid('the body must be a JSON object such as {"corrections":[{"source_field","target_field"}]}', "body");
  }
  const { corrections } = body as { corrections?: unknown };
  if (!Array.isArray(corrections) || corrections.length === 0) {
    throw invalid("corrections must be a non-empty array", "corrections");
  }
  return corrections.map((item: unknown, index) => {
    const where = `corrections[${index}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw invalid(`${where} must be an object with source_field and target_field`, where);
    }
    const fields = item as Record<string, unknown>;
    const text = (name: string, required: boolean): string => {
      const value = fields[name];
      if (value === undefined || value === null) {
        if (required) throw invalid(`${where}.${name} is required`, `${where}.${name}`);
        return "";
      }
      if (typeof value !== "string") throw invalid(`${where}.${name} must be a string`, `${where}.${name}`);
      return value;
    };
    return {
      sourceField: text("source_field", true),
      targetField: text("target_field", true),
      format: text("format", false),
      patternType: text("pattern_type", false),
    };
  });
}

/**
 * Stores the corrections in one `BatchStorePatterns` (all or none). The learning service names a
 * bad item by its own field names (`corrections[1].target`); they are renamed to the public ones
 * (`corrections[1].target_field`) so the answer points into the caller's request.
 */
export async function submitCorrections(
  learning: LearningClient,
  corrections: readonly SubmittedCorrection[],
  options: CallOptions,
) {
  try {
    return await learning.batchStorePatterns(
      {
        corrections: corrections.map((c) => ({
          patternType: c.patternType,
          sourceText: c.sourceField,
          target: c.targetField,
          context: { format: c.format },
        })),
      },
      options,
    );
  } catch (error) {
    if (!isMeshError(error) || error.code !== "INVALID_ARGUMENT") throw error;
    const rename = (text: string) =>
      text.replace(/(corrections\[\d+\])\.(target|source_text)\b/g, (_, item: string, field: string) =>
        field === "target" ? `${item}.target_field` : `${item}.source_field`,
      );
    const field = typeof error.details.field === "string" ? rename(error.details.field) : error.details.field;
    throw new MeshError(error.code, rename(error.message), { ...error.details, field }, { cause: error });
  }
}

function invalid(message: string, field: string): MeshError {
  return new MeshError("INVALID_ARGUMENT", message, { field });
}
