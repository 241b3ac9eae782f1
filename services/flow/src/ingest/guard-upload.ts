import { isUtf8 } from "node:buffer";
import { MeshError } from "@migrate/errors";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = 0x0a;

/**
 * Passes an upload through while enforcing what every format needs: at most `maxBytes`,
 * valid UTF-8 and no NUL bytes (PostgreSQL text cannot hold them). A leading UTF-8 BOM is
 * dropped. Errors name the byte offset (0-based, in the file as sent) and the line.
 */
export async function* guardUpload(
  source: AsyncIterable<Buffer>,
  options: { maxBytes: number },
): AsyncGenerator<Buffer> {
  let received = 0;
  let lines = 1;
  // Bytes of a character split across chunks, kept until the next chunk completes it.
  let carry: Buffer = Buffer.alloc(0);
  let bomPending = true;
  for await (const chunk of source) {
    if (!chunk.length) continue;
    received += chunk.length;
    if (received > options.maxBytes) {
      throw new MeshError("PAYLOAD_TOO_LARGE", `the upload exceeds the limit of ${options.maxBytes} bytes`, {
        limit: options.maxBytes,
      });
    }
    let bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let base = received - bytes.length;
    if (bomPending) {
      // A BOM split across chunks waits until it is whole.
      if (bytes.length < BOM.length && BOM.subarray(0, bytes.length).equals(bytes)) {
        carry = bytes;
        continue;
      }
      bomPending = false;
      if (bytes.subarray(0, BOM.length).equals(BOM)) {
        bytes = bytes.subarray(BOM.length);
        base += BOM.length;
      }
    }
    const cut = completeLength(bytes);
    const whole = bytes.subarray(0, cut);
    carry = Buffer.from(bytes.subarray(cut));
    check(whole, base, lines);
    lines += countNewlines(whole);
    if (whole.length) yield whole;
  }
  if (carry.length) throw invalidUtf8(received - carry.length, lines);
}

function check(bytes: Buffer, base: number, lines: number): void {
  if (!isUtf8(bytes)) {
    const at = firstInvalidByte(bytes);
    throw invalidUtf8(base + at, lines + countNewlines(bytes.subarray(0, at)));
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const offset = base + nul;
    throw new MeshError(
      "INVALID_ARGUMENT",
      `the file contains a NUL byte at byte offset ${offset} (line ${lines + countNewlines(bytes.subarray(0, nul))}): binary files are not supported, upload CSV or JSON text`,
      { offset, line: lines + countNewlines(bytes.subarray(0, nul)) },
    );
  }
}

function invalidUtf8(offset: number, line: number): MeshError {
  return new MeshError(
    "INVALID_ARGUMENT",
    `the file is not valid UTF-8: invalid byte sequence at byte offset ${offset} (line ${line}); save it as UTF-8`,
    { offset, line },
  );
}

/** Length of the prefix that ends on a character boundary (a split multi-byte character waits). */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * Offset of the first invalid sequence. Only runs once validation has already failed: the
 * decoder replaces each bad sequence with U+FFFD, and every character before the first
 * replacement that was not a literal U+FFFD decoded from valid bytes of the same length.
 */
function firstInvalidByte(bytes: Buffer): number {
  const text = bytes.toString("utf8");
  let from = 0;
  for (;;) {
    const index = text.indexOf("\uFFFD", from);
    if (index < 0) return bytes.length;
    const at = Buffer.byteLength(text.slice(0, index));
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return at;
    from = index + 1;
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
