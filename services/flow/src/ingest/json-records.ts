import { MeshError } from "@migrate/errors";
import { JSONParser } from "@streamparser/json";
import { notArray } from "./detect-format.ts";
import type { InventoryRecord, RecordReader } from "./inventory-record.ts";
import { limitJson } from "./json-limits.ts";
import {
  columnNameTooLong,
  DEFAULT_UPLOAD_LIMITS,
  MAX_COLUMN_NAME_LENGTH,
  tooManyColumns,
  type UploadLimits,
} from "./upload-limits.ts";

/**
 * Streams the elements of a top-level JSON array; only one chunk's worth of elements is held
 * at a time. Every element must be an object; columns are the union of their keys, in order.
 * `limits` (and the nesting depth) are enforced as the bytes stream, before an element is built.
 */
export function readJson(bytes: AsyncIterable<Buffer>, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): RecordReader {
  const columns: string[] = [];
  const known = new Set<string>();
  async function* records(): AsyncGenerator<InventoryRecord> {
    const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
    let pending: unknown[] = [];
    let failure: Error | undefined;
    let index = 0;
    parser.onValue = ({ value }) => {
      pending.push(value);
    };
    parser.onError = (error) => {
      failure ??= error;
    };
    const take = function* (): Generator<InventoryRecord> {
      const values = pending;
      pending = [];
      for (const value of values) {
        yield { rowNumber: index + 1, data: toRecord(value, index) };
        index++;
      }
      if (failure) throw invalidJson(failure);
    };
    for await (const chunk of limitJson(bytes, limits)) {
      if (parser.isEnded) {
        if (chunk.toString("utf8").trim()) throw invalidJson(new Error("unexpected content after the array"));
        continue;
      }
      parser.write(chunk);
      yield* take();
    }
    if (!parser.isEnded) parser.end();
    yield* take();
    if (index === 0) throw notArray("an empty array");
  }

  function toRecord(value: unknown, index: number): string {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new MeshError(
        "INVALID_ARGUMENT",
        `element ${index} of the JSON array is ${describe(value)}: every element must be an object`,
        { index, row: index + 1 },
      );
    }
    for (const key of Object.keys(value)) {
      if (key.trim() === "") {
        throw new MeshError("INVALID_ARGUMENT", `element ${index} of the JSON array has an empty key`, {
          index,
          row: index + 1,
        });
      }
      if (!known.has(key)) {
        if (key.length > MAX_COLUMN_NAME_LENGTH) throw columnNameTooLong({ row: index + 1, column: key }, key.length);
        if (known.size >= limits.maxColumns) {
          throw tooManyColumns({ row: index + 1, column: key }, known.size + 1, limits.maxColumns);
        }
        known.add(key);
        columns.push(key);
      }
    }
    const text = JSON.stringify(value);
    // PostgreSQL jsonb cannot hold U+0000; the cheap test rules out almost every record.
    if (text.includes("\\u0000") && hasNul(value)) {
      throw new MeshError("INVALID_ARGUMENT", `element ${index} of the JSON array contains a NUL character (\\u0000)`, {
        index,
        row: index + 1,
      });
    }
    return text;
  }

  return { columns, records: records() };
}

function invalidJson(cause: Error): MeshError {
  return new MeshError("INVALID_ARGUMENT", `invalid JSON: ${cause.message}`, { field: "content" }, { cause });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key.includes("\u0000") || hasNul(inner));
}
