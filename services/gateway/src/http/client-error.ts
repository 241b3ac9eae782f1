import type { Socket } from "node:net";
import type { ErrorCode } from "@migrate/errors";
import type { Logger } from "@migrate/logger";
import { SECURITY_HEADERS } from "./security-headers.ts";

interface RawAnswer {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

/**
 * What to answer when Node's HTTP parser gives up on a connection before any handler runs
 * (the server's `clientError`): a request it cannot parse is 400, a header section over the
 * limit 431, one not received within the header or request timeout 408, always with the
 * gateway's JSON error body. Undefined when the connection itself failed (reset, broken pipe):
 * there is nobody to answer.
 */
export function answerFor(error: NodeJS.ErrnoException, maxHeaderBytes: number): RawAnswer | undefined {
  const code = error.code ?? "";
  if (code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      reason: "Request Header Fields Too Large",
      code: "PAYLOAD_TOO_LARGE",
      message: `the request line and headers exceed the limit of ${maxHeaderBytes} bytes`,
    };
  }
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") {
    return {
      status: 413,
      reason: "Payload Too Large",
      code: "PAYLOAD_TOO_LARGE",
      message: "the chunk extensions of the body are too large",
    };
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      reason: "Request Timeout",
      code: "DEADLINE_EXCEEDED",
      message: "the request was not received in time",
    };
  }
  if (code.startsWith("HPE_")) {
    return { status: 400, reason: "Bad Request", code: "INVALID_ARGUMENT", message: "malformed HTTP request" };
  }
  return undefined;
}

/**
 * The server's `clientError` listener. Writes the answer straight to the socket (there is no
 * response object yet), then closes the connection: after a parse error nothing more on it can
 * be trusted. When a handler already owns the socket (`busy`: the request timeout struck a body
 * still arriving) its answer could interleave with ours, so the connection is only cut.
 */
export function handleClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  options: { logger: Logger; maxHeaderBytes: number; busy: (socket: Socket) => boolean },
): void {
  const answer = answerFor(error, options.maxHeaderBytes);
  if (!answer || !socket.writable || options.busy(socket)) {
    socket.destroy();
    return;
  }
  options.logger.debug({ code: error.code, status: answer.status }, "refused a malformed or slow request");
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message, details: {} } });
  const headers = {
    ...SECURITY_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${answer.status} ${answer.reason}\r\n${head}\r\n${body}`);
  // A client that neither reads nor closes must not keep the socket.
  setTimeout(() => socket.destroy(), 2_000).unref();
}
