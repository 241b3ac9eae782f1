import { describe, expect, it } from "vitest";
import { chunkStream, UPLOAD_CHUNK_BYTES } from "./chunk-stream.ts";

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

async function* pieces(...sizes: number[]) {
  let next = 0;
  for (const size of sizes) {
    yield Uint8Array.from({ length: size }, () => next++ % 251);
  }
}

describe("chunkStream", () => {
  it("coalesces small pieces and splits big ones into 64 KiB chunks, bytes intact", async () => {
    const sizes = [10, 70_000, 5, 200_000, 1];
    const chunks = await collect(chunkStream(pieces(...sizes), { maxBytes: 1_000_000 }));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.length === UPLOAD_CHUNK_BYTES)).toBe(true);
    expect(chunks.at(-1)?.length).toBe(total % UPLOAD_CHUNK_BYTES);
    const joined = Buffer.concat(chunks);
    expect(joined.length).toBe(total);
    expect(joined.equals(Buffer.from(Uint8Array.from({ length: total }, (_, i) => i % 251)))).toBe(true);
  });

  it("fails with PAYLOAD_TOO_LARGE as soon as the limit is crossed, before reading the rest", async () => {
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        yield new Uint8Array(1_000);
      }
    }
    await expect(collect(chunkStream(endless(), { maxBytes: 10_500 }))).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limit: 10_500 },
    });
    expect(read).toBe(11);
  });

  it("accepts exactly the limit", async () => {
    const chunks = await collect(chunkStream(pieces(100), { maxBytes: 100 }));
    expect(Buffer.concat(chunks).length).toBe(100);
  });

  it("refuses an empty upload", async () => {
    await expect(collect(chunkStream(pieces(0, 0), { maxBytes: 100 }))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "the uploaded inventory is empty",
    });
  });
});
