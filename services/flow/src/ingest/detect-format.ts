import { MeshError } from "@migrate/errors";

export type SourceFormat = "csv" | "json";

const CSV_TYPES = new Set([
  "text/csv",
  "text/x-csv",
  "application/csv",
  "application/x-csv",
  "text/tab-separated-values",
  "text/plain",
  // Browsers on Windows label .csv files with Excel's registered type.
  "application/vnd.ms-excel",
]);
const JSON_TYPES = new Set(["application/json", "text/json", "application/x-json"]);
const GENERIC_TYPES = new Set(["", "application/octet-stream", "binary/octet-stream"]);

// Files people upload by mistake; each gets a message saying what to do instead.
const SIGNATURES: Array<[bytes: number[], what: string]> = [
  [[0x50, 0x4b, 0x03, 0x04], "a ZIP archive or Excel workbook (.xlsx); export the sheet as CSV"],
  [[0xd0, 0xcf, 0x11, 0xe0], "an Excel 97-2003 workbook (.xls); export the sheet as CSV"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
  [[0x1f, 0x8b], "a gzip archive; upload it uncompressed"],
  [[0xff, 0xfe], "UTF-16 text; save it as UTF-8"],
  [[0xfe, 0xff], "UTF-16 text; save it as UTF-8"],
  [[0x89, 0x50, 0x4e, 0x47], "a PNG image"],
  [[0xff, 0xd8, 0xff], "a JPEG image"],
];

/**
 * Decides CSV or JSON from the declared media type and the first bytes. Unambiguous content
 * wins over a generic or CSV label (a JSON array uploaded as text/plain is still JSON); a
 * JSON label on content that is not a JSON array is refused rather than guessed at.
 */
export function detectFormat(head: Buffer, declared: { contentType: string; filename: string }): SourceFormat {
  if (head.length === 0) throw emptyFile();
  for (const [signature, what] of SIGNATURES) {
    if (signature.every((byte, i) => head[i] === byte)) {
      throw new MeshError("UNSUPPORTED_MEDIA_TYPE", `the file looks like ${what}: upload CSV or a JSON array`, {
        field: "content",
      });
    }
  }
  const contentType = mediaType(declared.contentType);
  const isJsonType = JSON_TYPES.has(contentType) || contentType.endsWith("+json");
  if (!isJsonType && !CSV_TYPES.has(contentType) && !GENERIC_TYPES.has(contentType)) {
    throw new MeshError(
      "UNSUPPORTED_MEDIA_TYPE",
      `content type ${JSON.stringify(contentType)} is not supported: upload CSV (text/csv) or a JSON array (application/json)`,
      { field: "content_type", value: contentType },
    );
  }
  const text = head.toString("utf8").replace(/^\uFEFF/, "");
  const start = text.trimStart();
  const looksLikeJsonArray = /^\[\s*(?:[{\]]|$)/.test(start);
  if (looksLikeJsonArray) return "json";
  if (start.startsWith("{")) throw notArray("an object");
  if (isJsonType) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `the content is declared as ${contentType} but is not a JSON array of objects (it starts with ${JSON.stringify(start.slice(0, 20))})`,
      { field: "content" },
    );
  }
  return "csv";
}

export function emptyFile(): MeshError {
  return new MeshError("INVALID_ARGUMENT", "the file is empty", { field: "content" });
}

export function notArray(found: string): MeshError {
  return new MeshError(
    "INVALID_ARGUMENT",
    `a JSON inventory must be an array of objects, but the file holds ${found}`,
    {
      field: "content",
    },
  );
}

function mediaType(value: string): string {
  return (value.split(";")[0] ?? "").trim().toLowerCase();
}
