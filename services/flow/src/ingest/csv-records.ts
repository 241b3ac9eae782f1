import { pipeline, Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import { type Info, parse } from "csv-parse";
import { emptyFile } from "./detect-format.ts";
import type { InventoryRecord, RecordReader } from "./inventory-record.ts";
import type { Delimiter } from "./sniff-delimiter.ts";

/**
 * Streams CSV records as objects keyed by the header. Quoted fields may span lines; a row may
 * have fewer cells than the header (spreadsheets drop trailing blanks) but not more non-empty ones.
 */
export function readCsv(bytes: AsyncIterable<Buffer>, delimiter: Delimiter): RecordReader {
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
    pipeline(Readable.from(bytes), parser, () => {});
    let header: string[] | undefined;
    let row = 0;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        if (!header) {
          header = checkHeader(record);
          columns.push(...header);
          continue;
        }
        row++;
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

/** Header names are trimmed; trailing empty ones (a trailing delimiter) are dropped. */
function checkHeader(cells: string[]): string[] {
  const names = cells.map((cell) => cell.trim());
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  if (names.length === 0) throw emptyFile();
  const firstSeen = new Map<string, number>();
  names.forEach((name, i) => {
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
        `duplicate header ${JSON.stringify(name)} in columns ${first + 1} and ${i + 1}: column names must be unique`,
        { line: 1, column: name, positions: [first + 1, i + 1] },
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
