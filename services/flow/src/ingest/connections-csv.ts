import { Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import { parse } from "csv-parse";
import { guardUpload } from "./guard-upload.ts";
import { sniffDelimiter } from "./sniff-delimiter.ts";

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
 * starts from half of a connections file.
 */
export async function parseConnections(raw: Buffer): Promise<ConnectionRecord[]> {
  const bytes = await checkedText(raw);
  const text = bytes.toString("utf8");
  if (!text.trim()) throw new MeshError("INVALID_ARGUMENT", "the connections file is empty", { field: "connections" });
  const parser = Readable.from([bytes]).pipe(
    parse({ delimiter: sniffDelimiter(text), bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }),
  );
  const records: ConnectionRecord[] = [];
  let positions: Partial<Record<Column, number>> | undefined;
  let headers: string[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!positions) {
        headers = cells;
        positions = locate(cells);
        continue;
      }
      records.push(toRecord(cells, positions, headers, records.length + 1));
    }
  } catch (error) {
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
    if (error instanceof MeshError) {
      throw new MeshError(error.code, `connections file: ${error.message}`, { field: "connections", ...error.details });
    }
    throw error;
  }
  return Buffer.concat(parts);
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
      `the connections file needs a source and a destination column; found: ${headers.join(", ") || "(none)"}`,
      { field: "connections", found: headers },
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
      throw new MeshError("INVALID_ARGUMENT", `connections row ${row}: column "${header(column)}" is empty`, {
        field: "connections",
        row,
        column: header(column),
      });
    }
  }
  const portText = cell("port");
  const port = portText === "" ? null : Number(portText);
  if (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      `connections row ${row}: column "${header("port")}" holds ${JSON.stringify(portText)}, not a port number (0-65535)`,
      { field: "connections", row, column: header("port"), value: portText.slice(0, 64) },
    );
  }
  return { rowNumber: row, source: cell("source"), destination: cell("destination"), port, protocol: cell("protocol") };
}
