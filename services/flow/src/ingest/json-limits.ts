import { MeshError } from "@migrate/errors";
import { cellTooLarge, rowTooLarge, type UploadLimits } from "./upload-limits.ts";

/**
 * Levels of arrays and objects a JSON inventory may nest, the top-level array included. Records
 * are flat in practice (a tags object, an address list); the recursive code that later copies and
 * stores a record (JSON.stringify, jsonb) overflows its stack at a few thousand levels.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Passes a JSON upload through unchanged while measuring it, so a limit is enforced as soon as the
 * bytes crossing it arrive, before the streaming parser has built the value: nesting depth, the
 * size of each top-level element (a row) and of each of its property values (a cell), keys
 * included. Only the structure is followed here; the parser still judges whether it is valid.
 */
export async function* limitJson(source: AsyncIterable<Buffer>, limits: UploadLimits): AsyncGenerator<Buffer> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Index of the current top-level element; -1 before the first. */
  let element = -1;
  let inElement = false;
  let rowBytes = 0;
  /** The element is an object: its depth-2 strings alternate between keys and values. */
  let objectElement = false;
  let expectKey = false;
  let inKey = false;
  let keyBytes: number[] = [];
  let column: string | undefined;
  /** Bytes of the current property value; -1 between values. */
  let valueBytes = -1;

  const place = () => ({ row: element + 1, column });
  const countRow = () => {
    rowBytes++;
    if (rowBytes > limits.maxRowBytes) throw rowTooLarge(place(), limits.maxRowBytes);
  };
  const count = (byte: number) => {
    if (!inElement) return;
    countRow();
    if (valueBytes >= 0) {
      valueBytes++;
      if (valueBytes > limits.maxCellBytes) throw cellTooLarge(place(), limits.maxCellBytes);
    } else if (inKey) {
      if (keyBytes.length >= limits.maxCellBytes) {
        throw cellTooLarge({ row: element + 1, column: `${decodeKey(keyBytes)}…` }, limits.maxCellBytes);
      }
      keyBytes.push(byte);
    }
  };
  const startElement = (object: boolean) => {
    element++;
    inElement = true;
    rowBytes = 0;
    objectElement = object;
    expectKey = false;
    column = undefined;
    valueBytes = -1;
  };

  /** Plain string content counted at once: cells are mostly text, and this loop is per byte. */
  const countRun = (bytes: number) => {
    if (!inElement) return;
    rowBytes += bytes;
    if (rowBytes > limits.maxRowBytes) throw rowTooLarge(place(), limits.maxRowBytes);
    if (valueBytes >= 0) {
      valueBytes += bytes;
      if (valueBytes > limits.maxCellBytes) throw cellTooLarge(place(), limits.maxCellBytes);
    }
  };

  for await (const chunk of source) {
    // Where the next quote and backslash are, found natively and reused until passed.
    let nextQuote = -1;
    let nextBackslash = -1;
    const next = (byte: number, from: number) => {
      const at = chunk.indexOf(byte, from);
      return at < 0 ? chunk.length : at;
    };
    for (let i = 0; i < chunk.length; i++) {
      if (inString && !escaped && !inKey) {
        if (nextQuote < i) nextQuote = next(QUOTE, i);
        if (nextBackslash < i) nextBackslash = next(BACKSLASH, i);
        const stop = Math.min(nextQuote, nextBackslash);
        if (stop > i) {
          countRun(stop - i);
          i = stop;
          if (i === chunk.length) break;
        }
      }
      const byte = chunk[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          inString = false;
          if (inKey) {
            inKey = false;
            column = decodeKey(keyBytes);
            keyBytes = [];
            countRow();
            continue;
          }
        }
        count(byte);
        continue;
      }
      switch (byte) {
        case 0x20:
        case 0x09:
        case 0x0a:
        case 0x0d:
          if (depth >= 2) count(byte);
          break;
        case 0x5b: // [
        case 0x7b: // {
          if (depth === 1 && !inElement) startElement(byte === 0x7b);
          depth++;
          if (depth > MAX_JSON_DEPTH) throw tooDeep(element);
          if (depth === 2 && objectElement) expectKey = true;
          count(byte);
          break;
        case 0x5d: // ]
        case 0x7d: // }
          count(byte);
          depth--;
          if (depth === 1) {
            inElement = false;
            valueBytes = -1;
          }
          break;
        case 0x2c: // ,
          if (depth === 1) inElement = false;
          else if (depth === 2 && objectElement) {
            valueBytes = -1;
            expectKey = true;
          }
          count(byte);
          break;
        case 0x3a: // :
          count(byte);
          if (depth === 2 && objectElement) valueBytes = 0;
          break;
        case QUOTE:
          if (depth === 1 && !inElement) startElement(false);
          inString = true;
          if (depth === 2 && objectElement && expectKey) {
            expectKey = false;
            inKey = true;
            keyBytes = [];
            column = undefined;
            countRow();
          } else count(byte);
          break;
        default:
          if (depth === 1 && !inElement) startElement(false);
          count(byte);
      }
    }
    yield chunk;
  }
}

function decodeKey(bytes: number[]): string {
  const text = Buffer.from(bytes).toString("utf8");
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

function tooDeep(element: number): MeshError {
  return new MeshError(
    "INVALID_ARGUMENT",
    `element ${element} of the JSON array (row ${element + 1}) nests objects and arrays deeper than the limit of ${MAX_JSON_DEPTH} levels; inventory records must be flat objects`,
    { row: element + 1, index: element, limit: MAX_JSON_DEPTH, reason: "nesting_depth" },
  );
}
