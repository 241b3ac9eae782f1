import { readCsv } from "./csv-records.ts";
import { detectFormat, type SourceFormat } from "./detect-format.ts";
import { guardUpload } from "./guard-upload.ts";
import type { RecordReader } from "./inventory-record.ts";
import { readJson } from "./json-records.ts";
import { readHead } from "./read-head.ts";
import { type Delimiter, sniffDelimiter } from "./sniff-delimiter.ts";
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from "./upload-limits.ts";

/** An upload being read: its format, and its records streamed one at a time. */
export interface Inventory extends RecordReader {
  format: SourceFormat;
  /** Only for CSV. */
  delimiter?: Delimiter;
}

// Enough for any real header line; the format and delimiter are decided from it.
const HEAD_LIMIT = 64 * 1024;

/**
 * Opens an uploaded inventory without buffering it: only the first line is read up front.
 * Every problem surfaces as a MeshError saying where it is, either here or while iterating;
 * `limits` (default DEFAULT_UPLOAD_LIMITS) bound its columns, cells and rows.
 */
export async function openInventory(
  chunks: AsyncIterable<Uint8Array>,
  options: { contentType: string; filename: string; maxBytes: number; limits?: UploadLimits },
): Promise<Inventory> {
  const limits = options.limits ?? DEFAULT_UPLOAD_LIMITS;
  const { head, all } = await readHead(chunks, HEAD_LIMIT);
  const format = detectFormat(head, options);
  const bytes = guardUpload(all, { maxBytes: options.maxBytes });
  if (format === "json") return { format, ...readJson(bytes, limits) };
  const delimiter = sniffDelimiter(head.toString("utf8"));
  return { format, delimiter, ...readCsv(bytes, delimiter, limits) };
}
