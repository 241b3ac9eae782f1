import { pipeline, Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import { type Info, parse } from "csv-parse";
import { limitCsv } from "./csv-limits.ts";
import { emptyFile } from "./detect-format.ts";
import type { InventoryRecord, RecordReader } from "./inventory-record.ts";
import type { Delimiter } from "./sniff-delimiter.ts";
import {
  columnNameTooLong,
  DEFAULT_UPLOAD_LIMITS,
  MAX_COLUMN_NAME_LENGTH,
  quoteName,
  tooManyColumns,
  type UploadLimits,
} from "./upload-limits.ts";

/**
 * Streams CSV records as objects keyed by the header. Quoted fields may span lines; a row may
 * have fewer cells than the header (spreadsheets drop trailing blanks) but not more non-empty ones,
 * and a row whose quoted field spans lines must have as many cells as the header: otherwise a
 * quote was most likely left open and lines were merged. `limits` are enforced as the bytes stream.
 */
export function readCsv(
  bytes: AsyncIterable<Buffer>,
  delimiter: Delimiter,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): RecordReader {
  const columns: string[] = [];
  async function* records(): AsyncGenerator<InventoryRecord> {
    const parser = parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    });
    // Errors reach us through the parser's iterator; the callback only stops an unhandled rejection.
    pipeline(Readable.from(limitCsv(bytes, { delimiter, limits })), parser, () => {});
    let header: string[] | undefined;
    let row = 0;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        if (!header) {
          header = checkHeader(record, limits.maxColumns);
          columns.push(...header);
          continue;
        }
        row++;
        checkMergedLines(header, record, row, info.lines);
        yield { rowNumber: row, data: JSON.stringify(toObject(header, record, row, info.lines)) };
      }
    } catch (error) {
      throw toMeshError(error);
    }
    if (!header) throw emptyFile();
    if (row === 0) throw new MeshError("INVALID_ARGUMENT", "the file has a header but no data rows", { line: 1 });
  }
  return { columns, records: records() };
}

function toObject(header: string[], record: string[], row: number, line: number): Record<string, string> {
  if (record.length > header.length && record.slice(header.length).some((cell) => cell.trim() !== "")) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `row ${row} (line ${line}) has ${record.length} cells but the header has ${header.length} columns`,
      { row, line, cells: record.length, columns: header.length },
    );
  }
  const data: Record<string, string> = {};
  const width = Math.min(record.length, header.length);
  for (let i = 0; i < width; i++) data[header[i] as string] = record[i] as string;
  return data;
}

/**
 * A quoted field holding a line break in a row with fewer cells than the header: the mark of a
 * quote left open, which made csv-parse read the following lines into that field. (A row with
 * more cells is refused by `toObject` anyway.)
 */
function checkMergedLines(header: string[], record: string[], row: number, lastLine: number): void {
  if (record.length >= header.length) return;
  const breaksBefore = 0;
  for (let i = 0; i < record.length; i++) {
    const breaks = lineBreaks(record[i] as string);
    if (breaks === 0) continue;
    let total = breaksBefore;
    for (const cell of record.slice(i)) total += lineBreaks(cell);
    const firstLine = lastLine - total;
    const opened = firstLine + breaksBefore;
    const column = header[i] === undefined ? `column ${i + 1}` : `column ${quoteName(header[i] as string)}`;
    throw new MeshError(
      "INVALID_ARGUMENT",
      `row ${row} (lines ${firstLine}-${lastLine}), ${column}: the quoted field opened on line ${opened} spans ${breaks + 1} lines and leaves the row with ${record.length} cells where the header has ${header.length} columns; check for an unbalanced quote`,
      {
        row,
        line: opened,
        ...(header[i] === undefined ? {} : { column: (header[i] as string).slice(0, 200) }),
        position: i + 1,
        cells: record.length,
        columns: header.length,
        reason: "unbalanced_quote",
      },
    );
  }
}

function lineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) count++;
    else if (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a) count++;
  }
  return count;
}

/** Header names are trimmed; trailing empty ones (a trailing delimiter) are dropped. */
function checkHeader(cells: string[], maxColumns: number): string[] {
  const names = cells.map((cell) => cell.trim());
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  if (names.length === 0) throw emptyFile();
  if (names.length > maxColumns) {
    throw tooManyColumns(
      { row: 0, line: 1, column: names[maxColumns], position: maxColumns + 1 },
      names.length,
      maxColumns,
    );
  }
  const firstSeen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name.length > MAX_COLUMN_NAME_LENGTH) {
      throw columnNameTooLong({ row: 0, line: 1, column: name, position: i + 1 }, name.length);
    }
    if (name === "") {
      throw new MeshError("INVALID_ARGUMENT", `the header of column ${i + 1} is empty: every column needs a name`, {
        line: 1,
        position: i + 1,
      });
    }
    const first = firstSeen.get(name);
    if (first !== undefined) {
      throw new MeshError(
        "INVALID_ARGUMENT",
        `duplicate header ${quoteName(name)} in columns ${first + 1} and ${i + 1}: column names must be unique`,
        { line: 1, column: name.slice(0, 200), positions: [first + 1, i + 1] },
      );
    }
    firstSeen.set(name, i);
  });
  return names;
}

function toMeshError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code.startsWith("CSV_")) {
    const line = (error as { lines?: number }).lines;
    return new MeshError("INVALID_ARGUMENT", `invalid CSV: ${(error as Error).message}`, { line, reason: code });
  }
  return error;
}
