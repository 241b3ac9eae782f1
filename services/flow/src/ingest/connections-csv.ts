import { pipeline, Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import { parse } from "csv-parse";
import { limitCsv } from "./csv-limits.ts";
import { guardUpload } from "./guard-upload.ts";
import { sniffDelimiter } from "./sniff-delimiter.ts";
import {
  columnNameTooLong,
  DEFAULT_UPLOAD_LIMITS,
  MAX_COLUMN_NAME_LENGTH,
  quoteName,
  tooManyColumns,
  type UploadLimits,
} from "./upload-limits.ts";

/** One row of a connections file, as stored in connections_raw. */
export interface ConnectionRecord {
  /** 1-based data row number (header excluded). */
  rowNumber: number;
  source: string;
  destination: string;
  port: number | null;
  protocol: string;
}

// Normalised header spellings (lowercase, spaces and dashes as underscores) of each column.
const SYNONYMS = {
  source: ["source", "src", "source_host", "source_ip", "from"],
  destination: ["destination", "dest", "dst", "target", "destination_host", "destination_ip", "to"],
  port: ["port", "dst_port", "destination_port"],
  protocol: ["protocol", "proto"],
} as const;
type Column = keyof typeof SYNONYMS;

const normalise = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/**
 * Parses a whole connections CSV (source, destination, optional port and protocol; header
 * synonyms accepted). Any bad row refuses the file with its row and column, so a flow never
 * starts from half of a connections file. `limits` bound its columns, cells and rows as the
 * inventory's do.
 */
export async function parseConnections(
  raw: Buffer,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<ConnectionRecord[]> {
  const bytes = await checkedText(raw);
  // The header line is enough to sniff the delimiter; decoding the whole file is not needed for it.
  const firstLine = bytes.subarray(0, Math.min(bytes.length, 64 * 1024)).toString("utf8");
  if (isBlank(bytes))
    throw new MeshError("INVALID_ARGUMENT", "the connections file is empty", { field: "connections" });
  const delimiter = sniffDelimiter(firstLine);
  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  // Errors, the limits' too, reach us through the parser's iterator; the callback only stops an unhandled rejection.
  pipeline(Readable.from(limitCsv(Readable.from([bytes]), { delimiter, limits })), parser, () => {});
  const records: ConnectionRecord[] = [];
  let positions: Partial<Record<Column, number>> | undefined;
  let headers: string[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!positions) {
        headers = cells;
        if (headers.length > limits.maxColumns) {
          throw tooManyColumns(
            { row: 0, line: 1, column: headers[limits.maxColumns], position: limits.maxColumns + 1 },
            headers.length,
            limits.maxColumns,
          );
        }
        const long = headers.findIndex((header) => header.length > MAX_COLUMN_NAME_LENGTH);
        if (long >= 0) {
          const name = headers[long] as string;
          throw columnNameTooLong({ row: 0, line: 1, column: name, position: long + 1 }, name.length);
        }
        positions = locate(cells);
        continue;
      }
      records.push(toRecord(cells, positions, headers, records.length + 1));
    }
  } catch (error) {
    if (error instanceof MeshError) throw connectionsError(error);
    const code = (error as { code?: unknown })?.code;
    if (typeof code === "string" && code.startsWith("CSV_")) {
      throw new MeshError("INVALID_ARGUMENT", `invalid connections CSV: ${(error as Error).message}`, {
        field: "connections",
        line: (error as { lines?: number }).lines,
      });
    }
    throw error;
  }
  return records;
}

/** The same UTF-8 and NUL checks as the inventory, with messages that say which file. */
async function checkedText(raw: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    for await (const part of guardUpload(Readable.from([raw]), { maxBytes: Number.POSITIVE_INFINITY }))
      parts.push(part);
  } catch (error) {
    if (error instanceof MeshError) throw connectionsError(error);
    throw error;
  }
  return Buffer.concat(parts);
}

/** An error of the shared readers, said of the connections file (this module's own already are). */
function connectionsError(error: MeshError): MeshError {
  if (error.details.field === "connections") return error;
  return new MeshError(error.code, `connections file: ${error.message}`, { field: "connections", ...error.details });
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

/** The header names for a message: the first few, each cut short. */
function found(headers: string[]): string {
  if (headers.length === 0) return "(none)";
  const names = headers.slice(0, 20).map((header) => (header.length > 40 ? `${header.slice(0, 40)}…` : header));
  return headers.length > 20 ? `${names.join(", ")} and ${headers.length - 20} more` : names.join(", ");
}

function locate(headers: string[]): Partial<Record<Column, number>> {
  const positions: Partial<Record<Column, number>> = {};
  headers.forEach((header, index) => {
    const name = normalise(header);
    for (const column of Object.keys(SYNONYMS) as Column[]) {
      if (positions[column] === undefined && (SYNONYMS[column] as readonly string[]).includes(name)) {
        positions[column] = index;
      }
    }
  });
  if (positions.source === undefined || positions.destination === undefined) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `the connections file needs a source and a destination column; found: ${found(headers)}`,
      { field: "connections", found: headers.slice(0, 20).map((header) => header.slice(0, 200)) },
    );
  }
  return positions;
}

function toRecord(
  cells: string[],
  positions: Partial<Record<Column, number>>,
  headers: string[],
  row: number,
): ConnectionRecord {
  const cell = (column: Column) => (positions[column] === undefined ? "" : (cells[positions[column]] ?? ""));
  const header = (column: Column) => headers[positions[column] ?? 0] ?? column;
  for (const column of ["source", "destination"] as const) {
    if (!cell(column)) {
      throw new MeshError("INVALID_ARGUMENT", `connections row ${row}: column ${quoteName(header(column))} is empty`, {
        field: "connections",
        row,
        column: header(column).slice(0, 200),
      });
    }
  }
  const portText = cell("port");
  const port = portText === "" ? null : Number(portText);
  if (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `connections row ${row}: column ${quoteName(header("port"))} holds ${quoteName(portText, 64)}, not a port number (0-65535)`,
      { field: "connections", row, column: header("port").slice(0, 200), value: portText.slice(0, 64) },
    );
  }
  return { rowNumber: row, source: cell("source"), destination: cell("destination"), port, protocol: cell("protocol") };
}
