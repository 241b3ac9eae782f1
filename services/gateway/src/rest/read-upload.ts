import type { IncomingMessage } from "node:http";
import { MeshError } from "@migrate/errors";
import { chunkStream, payloadTooLarge } from "../flows/chunk-stream.ts";
import { inventoryParts, type Upload } from "../flows/flow-operations.ts";
import { INVENTORY_MEDIA_TYPES } from "../flows/inventory-media-type.ts";
import { parseMultipart } from "./parse-multipart.ts";

const ACCEPTED = ["multipart/form-data", ...INVENTORY_MEDIA_TYPES];
const DEFAULT_NAME = "Inventory import";

/**
 * Checks what can be known from the headers alone (a body at all, its media type, a declared
 * length over the limit) before any work starts: 400, 415 or 413.
 */
export function checkUploadHeaders(req: IncomingMessage, maxBytes: number): void {
  const essence = mediaType(req);
  const declared = req.headers["content-length"];
  const hasBody = req.headers["transfer-encoding"] !== undefined || (declared !== undefined && Number(declared) > 0);
  if (!hasBody) throw new MeshError("INVALID_ARGUMENT", "request body is empty; send the inventory as the body");
  if (!ACCEPTED.includes(essence)) {
    throw new MeshError(
      "UNSUPPORTED_MEDIA_TYPE",
      `unsupported content type "${essence || "(none)"}"; send ${ACCEPTED.join(", ")}`,
      { field: "content-type", value: essence, valid: ACCEPTED },
    );
  }
  // Multipart adds boundaries and headers, so only a raw body's length is compared exactly.
  if (essence !== "multipart/form-data" && declared !== undefined && Number(declared) > maxBytes) {
    throw payloadTooLarge(maxBytes);
  }
}

/**
 * Opens the request's inventory for streaming: a multipart `file` part (with an optional
 * preceding `name` field and an optional `connections` file), or a raw `text/csv` /
 * `application/json` body named by `?name=`. Its bytes are re-chunked and counted as they
 * arrive, never buffered whole.
 */
export async function readUpload(req: IncomingMessage, url: URL, maxBytes: number): Promise<Upload> {
  checkUploadHeaders(req, maxBytes);
  const essence = mediaType(req);
  if (essence === "multipart/form-data") {
    const form = await parseMultipart(req, req.headers, { maxBytes });
    return {
      name: nameOrDefault(form.name, form.filename),
      filename: form.filename,
      contentType: form.contentType,
      parts: form.parts,
    };
  }
  const filename = url.searchParams.get("filename") ?? "";
  const name = url.searchParams.get("name") ?? "";
  if (name.length > 200)
    throw new MeshError("INVALID_ARGUMENT", "name is longer than 200 characters", { field: "name" });
  return {
    name: nameOrDefault(name, filename),
    filename,
    contentType: essence as Upload["contentType"],
    // Leaving the loop early (a refusal) must not destroy the socket the answer goes out on.
    parts: inventoryParts(chunkStream(req.iterator({ destroyOnReturn: false }), { maxBytes })),
  };
}

function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Without a name the flow service names the flow after the file; with neither, a generic name. */
export function nameOrDefault(name: string, filename: string): string {
  return name.trim() || (filename.trim() ? "" : DEFAULT_NAME);
}
