/** The first bytes of an upload, plus the whole upload replayed from its first byte. */
export interface UploadHead {
  head: Buffer;
  all: AsyncIterable<Buffer>;
}

const NEWLINE = 0x0a;

/**
 * Reads chunks until the first line with content is complete (or `limit` bytes arrived), so format and
 * delimiter can be sniffed; the rest is left unread until `all` is iterated.
 */
export async function readHead(source: AsyncIterable<Uint8Array>, limit: number): Promise<UploadHead> {
  const reader = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < limit) {
    const next = await reader.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    size += chunk.length;
    if (chunk.includes(NEWLINE) && hasFirstLine(Buffer.concat(chunks, size))) break;
  }
  const head = Buffer.concat(chunks, size);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    try {
      for (;;) {
        const next = await reader.next();
        if (next.done) return;
        yield toBuffer(next.value);
      }
    } finally {
      await reader.return?.();
    }
  }
  return { head, all: all() };
}

/** True once a line with content has ended; leading blank lines do not count. */
function hasFirstLine(bytes: Buffer): boolean {
  const start = bytes.findIndex((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== NEWLINE);
  return start >= 0 && bytes.indexOf(NEWLINE, start) >= 0;
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
