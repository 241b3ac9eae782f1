import { MeshError } from "@migrate/errors";

/**
 * Bounds on the shape of an upload, checked while it streams in, so that no single file can make
 * the flow buffer, or an agent chew on, more than this per column, cell or row.
 */
export interface UploadLimits {
  /** Columns of the header (CSV) or distinct keys over all elements (JSON). */
  maxColumns: number;
  /** Bytes of one cell: a CSV field's content, or the JSON text of one property's value. */
  maxCellBytes: number;
  /** Bytes of one record as sent: a CSV line (or lines, when quoted fields span them), a JSON element. */
  maxRowBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = {
  // Wider than any export we know (Azure Migrate's is about 80 columns) with room for hand-made sheets.
  maxColumns: 1_000,
  maxCellBytes: 64 * 1024,
  maxRowBytes: 1024 * 1024,
};

/**
 * Characters of a column name (a CSV header, a JSON key). The learning service keeps names up to
 * this long, and every record stores its columns' names: a 64 KiB name on 1,000 columns would
 * turn each short row into a megabyte stored and sent to the agents.
 */
export const MAX_COLUMN_NAME_LENGTH = 1_000;

/**
 * Where a limit was crossed: a data row (1-based; 0 is the CSV header), the line it was crossed
 * on (CSV only: a place without a line is a JSON element), and the column as named by the header
 * or key, with its 1-based position.
 */
export interface LimitPlace {
  row: number;
  line?: number;
  column?: string;
  position?: number;
}

/** Names a column in a message without ever copying a huge or control-laden header into it. */
export function quoteName(name: string, max = 80): string {
  return JSON.stringify(name.length > max ? `${name.slice(0, max)}…` : name);
}

/** "row 3 (line 4), column "Notes"", "element 2 of the JSON array (row 3), column "tags"". */
export function describePlace(place: LimitPlace): string {
  const row =
    place.row === 0
      ? `the header (line ${place.line ?? 1})`
      : place.line === undefined
        ? `element ${place.row - 1} of the JSON array (row ${place.row})`
        : `row ${place.row} (line ${place.line})`;
  const column =
    place.column !== undefined
      ? `, column ${quoteName(place.column)}`
      : place.position !== undefined
        ? `, column ${place.position}`
        : "";
  return `${row}${column}`;
}

function details(place: LimitPlace, setting: string, limit: number) {
  return {
    row: place.row,
    ...(place.line === undefined ? {} : { line: place.line }),
    ...(place.column === undefined ? {} : { column: place.column.slice(0, 200) }),
    ...(place.position === undefined ? {} : { position: place.position }),
    setting,
    limit,
  };
}

export function cellTooLarge(place: LimitPlace, limit: number): MeshError {
  return new MeshError(
    "PAYLOAD_TOO_LARGE",
    `${describePlace(place)}: the cell is larger than the limit of ${limit} bytes per cell (MAX_CELL_BYTES)`,
    details(place, "MAX_CELL_BYTES", limit),
  );
}

export function rowTooLarge(place: LimitPlace, limit: number): MeshError {
  return new MeshError(
    "PAYLOAD_TOO_LARGE",
    `${describePlace(place)}: the row is larger than the limit of ${limit} bytes per row (MAX_ROW_BYTES)`,
    details(place, "MAX_ROW_BYTES", limit),
  );
}

/**
 * `place` names the first column beyond the limit; `count` is how many the header has (CSV), or
 * how many distinct keys the file has so far (JSON).
 */
export function tooManyColumns(place: LimitPlace, count: number, limit: number): MeshError {
  const has = place.line === undefined ? "so far holds" : "has";
  return new MeshError(
    "INVALID_ARGUMENT",
    `${describePlace(place)}: the file ${has} ${count} columns, more than the limit of ${limit} columns (MAX_COLUMNS)`,
    { ...details(place, "MAX_COLUMNS", limit), columns: count },
  );
}

export function columnNameTooLong(place: LimitPlace, length: number): MeshError {
  return new MeshError(
    "INVALID_ARGUMENT",
    `${describePlace(place)}: the column name has ${length} characters, more than the ${MAX_COLUMN_NAME_LENGTH} a column name may have`,
    { ...details(place, "MAX_COLUMN_NAME_LENGTH", MAX_COLUMN_NAME_LENGTH), length },
  );
}
