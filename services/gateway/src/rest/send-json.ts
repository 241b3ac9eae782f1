import type { IncomingMessage, ServerResponse } from "node:http";
import { httpStatusFor, isMeshError } from "@migrate/errors";
import { isRelayedError } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { recordActiveSpanError } from "@migrate/telemetry";
import { bearerChallenge } from "../auth/verify-token.ts";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
  });
  res.end(payload);
}

/**
 * Answers `{"error":{"code","message","details"}}` with the code's HTTP status; anything that is
 * not a MeshError is logged here and reported as a bare INTERNAL, without internals.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: Logger,
  status?: number,
): void {
  discardBody(req);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  recordActiveSpanError(error);
  if (!isMeshError(error)) {
    logger.error({ err: error }, "unhandled error");
    sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error", details: {} } });
    return;
  }
  const headers: Record<string, string> = {};
  if (error.code === "UNAUTHENTICATED") headers["www-authenticate"] = bearerChallenge(error);
  const retryAfter = error.details.retry_after_seconds;
  if (error.code === "RATE_LIMITED" && typeof retryAfter === "number") headers["retry-after"] = String(retryAfter);
  // A downstream INTERNAL was logged where it happened; log only the gateway's own.
  if (error.code === "INTERNAL" && !isRelayedError(error))
    logger.error({ err: error.cause ?? error, code: error.code }, error.message);
  sendJson(res, status ?? httpStatusFor(error.code), { error: error.toJSON() }, headers);
}

const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops what is still unread of the body, so a client still sending an upload we
 * refused gets to read our answer: closing the connection instead would reset it under the
 * client's writes, and a reset can destroy the answer before the client reads it. Past a bound
 * the connection is cut anyway. Returns whether anything was unread.
 */
export function discardBody(req: IncomingMessage): boolean {
  if (req.complete || req.destroyed) return false;
  const declared = req.headers["content-length"];
  if (req.headers["transfer-encoding"] === undefined && (declared === undefined || Number(declared) === 0)) {
    req.resume();
    return false;
  }
  let discarded = 0;
  req.unpipe();
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
  return true;
}
