import { MeshError } from "@migrate/errors";
import { parse } from "csv-parse/sync";
import type { Delimiter } from "./sniff-delimiter.ts";
import { cellTooLarge, describePlace, quoteName, rowTooLarge, type UploadLimits } from "./upload-limits.ts";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

// Where the scanner is in the CSV grammar (csv-parse's, with relax_quotes).
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the next byte says whether it escapes, closes, or is stray. */
const QUOTE_SEEN = 3;

/**
 * Passes a CSV upload through unchanged while measuring it as csv-parse (with `relax_quotes`)
 * will read it, so a limit is enforced as soon as the bytes crossing it arrive, before the parser
 * has buffered a huge field: cell and row sizes (the header's too), and the quotes that would
 * make the parser merge lines. csv-parse alone cannot bound a field, only a record, and names
 * neither the column nor the line where a quote opened.
 */
export async function* limitCsv(
  source: AsyncIterable<Buffer>,
  options: { delimiter: Delimiter; limits: UploadLimits },
): AsyncGenerator<Buffer> {
  const { limits } = options;
  const delimiter = options.delimiter.charCodeAt(0);
  let state = FIELD_START;
  let line = 1;
  let previousCr = false;
  /** 0 while in the header; the data row number after it. */
  let row = 0;
  let field = 0;
  let fieldBytes = 0;
  let recordBytes = 0;
  /** The record has a byte other than its line end (empty lines are skipped, as csv-parse does). */
  let started = false;
  let quoteLine = 0;
  let quotedBreaks = 0;
  let header: string[] | undefined;
  const headerParts: Buffer[] = [];
  let headerFrom = -1;

  const place = (at: number = line): Place => ({
    row,
    line: at,
    column: header?.[field],
    position: field + 1,
  });
  // Past a limit inside a quoted field that already ran over lines, the likely cause is a quote
  // left open, not a huge cell: say so, and where it opened.
  const overLimit = (error: MeshError) =>
    state === QUOTED && quotedBreaks > 0 ? openQuoteOverLimit(error, place(quoteLine), quoteLine, quotedBreaks) : error;
  const content = () => {
    fieldBytes++;
    if (fieldBytes > limits.maxCellBytes) throw overLimit(cellTooLarge(place(), limits.maxCellBytes));
  };
  const endField = () => {
    field++;
    fieldBytes = 0;
    state = FIELD_START;
  };
  const endRecord = (chunk: Buffer, at: number) => {
    if (row === 0) {
      headerParts.push(chunk.subarray(headerFrom, at));
      header = headerNames(Buffer.concat(headerParts), options.delimiter);
      headerParts.length = 0;
      headerFrom = -1;
    }
    row++;
    field = 0;
    fieldBytes = 0;
    recordBytes = 0;
    started = false;
    state = FIELD_START;
  };

  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      const lineEnd = byte === LF || byte === CR;
      // The LF of a CRLF was already counted, and already ended its record, with the CR.
      const crlf = byte === LF && previousCr;
      previousCr = byte === CR;
      if (crlf) {
        if (state === QUOTED) {
          recordBytes++;
          content();
        }
        continue;
      }
      // A line end outside quotes ends the record; after a quote inside a quoted field, it closes it too.
      if (lineEnd && state !== QUOTED) {
        if (started) endRecord(chunk, i);
        line++;
        continue;
      }
      if (!started) {
        started = true;
        if (row === 0) headerFrom = i;
      }
      recordBytes++;
      if (recordBytes > limits.maxRowBytes) throw overLimit(rowTooLarge(place(), limits.maxRowBytes));
      switch (state) {
        case FIELD_START:
          if (byte === QUOTE) {
            state = QUOTED;
            quoteLine = line;
            quotedBreaks = 0;
          } else if (byte === delimiter) endField();
          else {
            state = UNQUOTED;
            content();
          }
          break;
        case UNQUOTED:
          if (byte === delimiter) endField();
          else content();
          break;
        case QUOTED:
          if (byte === QUOTE) state = QUOTE_SEEN;
          else {
            content();
            if (lineEnd) {
              quotedBreaks++;
              line++;
            }
          }
          break;
        default:
          // QUOTE_SEEN: a second quote escapes it, a delimiter closes the field.
          if (byte === QUOTE) {
            state = QUOTED;
            content();
          } else if (byte === delimiter) endField();
          else {
            // csv-parse reads the field again as unquoted text, line breaks and all: harmless on
            // one line, but after a line break it has silently merged lines into one record.
            if (quotedBreaks > 0) throw unbalancedQuote(place(quoteLine), quoteLine, line, byte);
            state = UNQUOTED;
            content();
          }
      }
    }
    if (row === 0 && headerFrom >= 0) {
      headerParts.push(chunk.subarray(headerFrom));
      headerFrom = 0;
    }
    yield chunk;
  }
  if (state === QUOTED) throw unclosedQuote(place(quoteLine), quoteLine, line);
}

/** The header's names as csv-parse reads them (trimmed), to name columns in messages. */
function headerNames(bytes: Buffer, delimiter: Delimiter): string[] | undefined {
  try {
    const [names] = parse(bytes, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return names?.map((name) => name.trim());
  } catch {
    return undefined;
  }
}

interface Place {
  row: number;
  line: number;
  column: string | undefined;
  position: number;
}

function openQuoteOverLimit(limit: MeshError, place: Place, opened: number, breaks: number): MeshError {
  const { setting, limit: bytes } = limit.details as { setting: string; limit: number };
  const what = setting === "MAX_CELL_BYTES" ? "cell" : "row";
  return new MeshError(
    limit.code,
    `${describePlace(place)}: the quoted field opened on line ${opened} runs over ${breaks} line break(s) and past the limit of ${bytes} bytes per ${what} (${setting}); check for an unbalanced quote`,
    { ...placeDetails(place), setting, limit: bytes, reason: "unbalanced_quote", quote_line: opened },
  );
}

function unclosedQuote(place: Place, opened: number, lastLine: number): MeshError {
  return new MeshError(
    "INVALID_ARGUMENT",
    `${describePlace(place)}: the quote that opens this field on line ${opened} is never closed (the file ends inside it, on line ${lastLine}); check for an unbalanced quote`,
    { ...placeDetails(place), reason: "unclosed_quote", quote_line: opened },
  );
}

function unbalancedQuote(place: Place, opened: number, at: number, byte: number): MeshError {
  const next = quoteName(String.fromCharCode(byte));
  return new MeshError(
    "INVALID_ARGUMENT",
    `${describePlace(place)}: the quoted field opened on line ${opened} runs over ${at - opened} line break(s), then a quote on line ${at} is followed by ${next} instead of a delimiter or a line end, which would merge lines into one record; check for an unbalanced quote`,
    { ...placeDetails(place), reason: "unbalanced_quote", quote_line: opened, stray_quote_line: at },
  );
}

function placeDetails(place: Place) {
  return {
    row: place.row,
    line: place.line,
    ...(place.column === undefined ? {} : { column: place.column.slice(0, 200) }),
    position: place.position,
  };
}
