import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { MeshError } from "@migrate/errors";
import busboy from "busboy";
import { type InventoryMediaType, inventoryMediaType } from "../flows/inventory-media-type.ts";

/** The one file of a multipart upload, its bytes still on the wire. */
export interface MultipartFile {
  /** The `name` form field, when it came before the file. */
  name: string;
  filename: string;
  contentType: InventoryMediaType;
  /** The file's bytes; ends only once the whole form has been read and found well formed. */
  bytes: AsyncIterable<Uint8Array>;
}

/**
 * Parses `multipart/form-data` as it streams: resolves as soon as the `file` part starts, so
 * its bytes can be forwarded while still arriving. Fields must precede the file (browsers and
 * curl send them in the order given), because the flow's name is sent before its content; a
 * field or second file after it fails the upload before the flow is committed.
 */
export function parseMultipart(
  source: Readable,
  headers: IncomingHttpHeaders,
  options: { maxBytes: number },
): Promise<MultipartFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        // One byte over the limit lets the chunker, which counts every upload, report it.
        limits: { files: 1, fileSize: options.maxBytes + 1, fields: 8, fieldSize: 4096, parts: 16 },
      });
    } catch (error) {
      reject(malformed(error));
      return;
    }
    let name = "";
    let fileSeen = false;
    let late: MeshError | undefined;
    const finished = new Promise<void>((done, fail) => {
      parser.once("close", done);
      parser.once("error", (error) => fail(malformed(error)));
    });
    finished.catch(() => {});

    parser.on("field", (field, value, info) => {
      if (field !== "name") return;
      if (fileSeen) {
        late ??= new MeshError("INVALID_ARGUMENT", "the name field must come before the file field", { field: "name" });
      } else if (info.valueTruncated || value.length > 200) {
        reject(new MeshError("INVALID_ARGUMENT", "name is longer than 200 characters", { field: "name" }));
      } else {
        name = value;
      }
    });
    parser.on("filesLimit", () => {
      late ??= new MeshError("INVALID_ARGUMENT", "only one file may be uploaded per flow", { field: "file" });
    });
    parser.on("file", (field, stream, info) => {
      if (field !== "file") {
        stream.resume();
        reject(
          new MeshError("INVALID_ARGUMENT", `expected the inventory in form field "file", got "${field}"`, { field }),
        );
        return;
      }
      fileSeen = true;
      const filename = info.filename ?? "";
      const contentType = inventoryMediaType(info.mimeType, filename);
      if (!contentType) {
        stream.resume();
        reject(unsupportedFile(info.mimeType, filename));
        return;
      }
      resolve({
        name,
        filename,
        contentType,
        bytes: (async function* () {
          try {
            for await (const chunk of stream) yield chunk as Buffer;
            await finished;
          } catch (error) {
            throw error instanceof MeshError ? error : malformed(error);
          }
          if (late) throw late;
        })(),
      });
    });
    parser.once("close", () => {
      if (!fileSeen)
        reject(new MeshError("INVALID_ARGUMENT", "the multipart body has no file field", { field: "file" }));
    });
    parser.once("error", (error) => reject(malformed(error)));
    // A client that disconnects mid-form never ends the stream: end the parse with an error.
    source.once("close", () => {
      if ("complete" in source && source.complete === false) parser.destroy(new Error("client closed the request"));
    });
    source.pipe(parser);
  });
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
