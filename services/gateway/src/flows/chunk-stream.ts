import { MeshError } from "@migrate/errors";

/** The size of the chunks an upload is forwarded in to FlowService.CreateFlow. */
export const UPLOAD_CHUNK_BYTES = 64 * 1024;

/**
 * Re-chunks an upload into pieces of `chunkBytes` (the last may be shorter) while counting it,
 * so the whole file is never held in memory and an oversized one is refused as soon as it
 * crosses `maxBytes`: PAYLOAD_TOO_LARGE mid-stream, INVALID_ARGUMENT when it ends empty
 * (naming `what`, the inventory by default).
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: { maxBytes: number; chunkBytes?: number; what?: string; field?: string },
): AsyncGenerator<Uint8Array> {
  const chunkBytes = options.chunkBytes ?? UPLOAD_CHUNK_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  for await (const piece of source) {
    const buf =
      typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    if (buf.length === 0) continue;
    total += buf.length;
    if (total > options.maxBytes) throw payloadTooLarge(options.maxBytes, options.field);
    pending.push(buf);
    pendingBytes += buf.length;
    while (pendingBytes >= chunkBytes) {
      const joined = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      yield joined.subarray(0, chunkBytes);
      const rest = joined.subarray(chunkBytes);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (total === 0) {
    throw new MeshError("INVALID_ARGUMENT", `the uploaded ${options.what ?? "inventory"} is empty`, {
      field: options.field ?? "file",
    });
  }
  if (pendingBytes) yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
}

export function payloadTooLarge(maxBytes: number, field?: string): MeshError {
  return new MeshError("PAYLOAD_TOO_LARGE", `upload exceeds the limit of ${maxBytes} bytes`, {
    limit: maxBytes,
    ...(field && field !== "file" ? { field } : {}),
  });
}
