// SQLSTATE class 08 (connection exception) and the 57P0x shutdowns: what a failover, a restart
// or a DBA's pg_terminate_backend raises on the queries that were running.
const LOST_SQLSTATE = /^(08...|57P0[1-3])$/;
// node-postgres raises these without a SQLSTATE once the socket is gone or refused.
const LOST_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;
const LOST_ERRNO = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

/**
 * True when `error` (or its cause) says a database connection was lost rather than a query was
 * wrong: nothing was committed, and the same work may succeed on a new connection.
 */
export function isConnectionLost(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && (LOST_SQLSTATE.test(code) || LOST_ERRNO.has(code))) return true;
    if (typeof message === "string" && LOST_MESSAGE.test(message)) return true;
    current = cause;
  }
  return false;
}

// 22021 (a NUL byte or an invalid byte sequence in text) and 22P05 (a character the database
// encoding cannot hold): the caller's text, not the service, is at fault.
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

/** True when PostgreSQL refused a caller's text itself (a NUL byte, say): a bad request, not a fault. */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNSTORABLE_TEXT.has(code);
}
