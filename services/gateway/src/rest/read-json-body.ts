import type { IncomingMessage } from "node:http";
import { MeshError } from "@migrate/errors";

const MAX_JSON_BYTES = 1024 * 1024;

/**
 * A small JSON request body, parsed; undefined when there is none (no or zero length, or only
 * whitespace). A body that is not `application/json`, too large or not valid JSON is refused
 * with 415, 413 or 400 naming what is wrong.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (!chunked && (declared === undefined || Number(declared) === 0)) return undefined;
  const essence = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (essence && essence !== "application/json") {
    throw new MeshError("UNSUPPORTED_MEDIA_TYPE", `unsupported content type "${essence}"; send application/json`, {
      field: "content-type",
      value: essence,
      valid: ["application/json"],
    });
  }
  if (Number(declared) > MAX_JSON_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MeshError("INVALID_ARGUMENT", `the request body is not valid JSON: ${(error as Error).message}`, {
      field: "body",
    });
  }
}

function tooLarge(): MeshError {
  return new MeshError("PAYLOAD_TOO_LARGE", `the JSON body exceeds the limit of ${MAX_JSON_BYTES} bytes`, {
    limit: MAX_JSON_BYTES,
  });
}
