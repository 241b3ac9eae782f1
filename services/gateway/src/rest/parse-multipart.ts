import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import busboy from "busboy";
import { chunkStream, payloadTooLarge } from "../flows/chunk-stream.ts";
import type { UploadPart } from "../flows/flow-operations.ts";
import { type InventoryMediaType, inventoryMediaType } from "../flows/inventory-media-type.ts";

/** The inventory (and optional connections file) of a multipart upload, bytes still on the wire. */
export interface MultipartUpload {
  /** The `name` form field, when it came before the files. */
  name: string;
  filename: string;
  contentType: InventoryMediaType;
  /**
   * Both files' bytes in 64 KiB parts, in the order they came; ends only once the whole form has
   * been read and found well formed.
   */
  parts: AsyncIterable<UploadPart>;
}

interface FilePart {
  field: string;
  stream: Readable;
}

const FILE_FIELDS = ["file", "connections"];

/**
 * Parses `multipart/form-data` as it streams: resolves as soon as the `file` part starts, so its
 * bytes can be forwarded while still arriving. Fields must precede the files (browsers and curl
 * send them in the order given), because the flow's name is sent before its content; a field
 * after a file fails the upload before the flow is committed. The `connections` file may come
 * before or after `file`: after it, it is streamed; before it, it is held (up to `maxBytes`)
 * until the inventory's header can be sent.
 */
export function parseMultipart(
  source: Readable,
  headers: IncomingHttpHeaders,
  options: { maxBytes: number },
): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        // One byte over the limit lets the chunker, which counts every upload, report it.
        limits: { files: 2, fileSize: options.maxBytes + 1, fields: 8, fieldSize: 4096, parts: 16 },
      });
    } catch (error) {
      reject(malformed(error));
      return;
    }
    let name = "";
    let settled = false;
    let late: MeshError | undefined;
    const seen = new Set<string>();
    const early: Buffer[] = [];
    let earlyBytes = 0;
    let earlyStream: Readable | undefined;
    // Parts met after the inventory started, handed to the iterating generator in order.
    const queue: FilePart[] = [];
    let wake: (() => void) | undefined;
    let closed = false;

    const fail = (error: MeshError) => {
      if (settled) late ??= error;
      else {
        settled = true;
        reject(error);
      }
    };
    const finished = new Promise<void>((done, failed) => {
      parser.once("close", done);
      parser.on("error", (error) => failed(malformed(error)));
    });
    const markClosed = () => {
      closed = true;
      wake?.();
    };
    finished.then(markClosed, markClosed);

    parser.on("field", (field, value, info) => {
      if (field !== "name") return;
      if (seen.size > 0) {
        late ??= new MeshError("INVALID_ARGUMENT", "the name field must come before the file field", { field: "name" });
      } else if (info.valueTruncated || value.length > 200) {
        fail(new MeshError("INVALID_ARGUMENT", "name is longer than 200 characters", { field: "name" }));
      } else {
        name = value;
      }
    });
    parser.on("filesLimit", () => {
      late ??= new MeshError("INVALID_ARGUMENT", "only one inventory and one connections file may be uploaded", {
        field: "file",
      });
    });
    parser.on("file", (field, stream, info) => {
      // busboy destroys an unfinished part's stream with the form's error ("Unexpected end of
      // form"), often before anyone reads it: without a listener Node would throw it.
      stream.on("error", (error) => fail(error instanceof MeshError ? error : malformed(error)));
      if (!FILE_FIELDS.includes(field) || seen.has(field)) {
        stream.resume();
        fail(
          seen.has(field)
            ? new MeshError("INVALID_ARGUMENT", `form field "${field}" appears more than once`, { field })
            : new MeshError(
                "INVALID_ARGUMENT",
                `unexpected file field "${field}"; send the inventory as form field "file" and the optional connections as "connections"`,
                { field },
              ),
        );
        return;
      }
      seen.add(field);
      if (settled) {
        queue.push({ field, stream });
        wake?.();
        return;
      }
      if (field === "connections") {
        // Before the inventory: hold it, since the header must go first and names the inventory.
        earlyStream = stream;
        stream.on("data", (chunk: Buffer) => {
          earlyBytes += chunk.length;
          if (earlyBytes > options.maxBytes) {
            stream.resume();
            fail(payloadTooLarge(options.maxBytes, "connections"));
          } else early.push(chunk);
        });
        return;
      }
      const filename = info.filename ?? "";
      const contentType = inventoryMediaType(info.mimeType, filename);
      if (!contentType) {
        stream.resume();
        fail(unsupportedFile(info.mimeType, filename));
        return;
      }
      settled = true;
      // Chunks busboy pushed in the same tick are still buffered in the stream: read() emits them now.
      while (earlyStream?.read() != null) {}
      const nextPart = async (): Promise<FilePart | undefined> => {
        while (queue.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
        return queue.shift();
      };
      resolve({
        name,
        filename,
        contentType,
        parts: (async function* () {
          try {
            if (earlyStream) {
              yield* tagged("connections", connectionChunks(early, options.maxBytes));
            }
            yield* tagged("inventory", chunkStream(stream, { maxBytes: options.maxBytes }));
            for (let part = await nextPart(); part; part = await nextPart()) {
              yield* tagged("connections", connectionChunks(part.stream, options.maxBytes));
            }
            await finished;
          } catch (error) {
            throw error instanceof MeshError ? error : malformed(error);
          }
          if (late) throw late;
        })(),
      });
    });
    parser.once("close", () => {
      if (!settled && !seen.has("file")) {
        fail(new MeshError("INVALID_ARGUMENT", "the multipart body has no file field", { field: "file" }));
      }
    });
    parser.on("error", (error) => fail(malformed(error)));
    // A client that disconnects mid-form never ends the stream: end the parse with an error.
    source.once("close", () => {
      if ("complete" in source && source.complete === false) parser.destroy(new Error("client closed the request"));
    });
    source.pipe(parser);
  });
}

function connectionChunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number) {
  return chunkStream(source, { maxBytes, what: "connections file", field: "connections" });
}

async function* tagged(kind: UploadPart["kind"], chunks: AsyncIterable<Uint8Array>): AsyncGenerator<UploadPart> {
  for await (const bytes of chunks) yield { kind, bytes };
}

function malformed(error: unknown): MeshError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MeshError("INVALID_ARGUMENT", `malformed multipart body: ${reason}`, {}, { cause: error });
}

function unsupportedFile(mimeType: string, filename: string): MeshError {
  return new MeshError(
    "UNSUPPORTED_MEDIA_TYPE",
    "the file must be CSV (text/csv, .csv) or JSON (application/json, .json)",
    { field: "file", value: mimeType || filename },
  );
}
