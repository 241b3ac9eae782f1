import type { Logger } from "@migrate/logger";

/**
 * The gateway's access line, at debug: call it when the response is done (`res` "close"), where
 * the http instrumentation keeps the request's context, so the line carries its trace_id.
 */
export function logHttpRequest(
  logger: Logger,
  entry: { method: string; route: string; status: number; seconds: number; requestId?: string },
): void {
  logger.debug(
    {
      method: entry.method,
      route: entry.route,
      status: entry.status,
      duration_ms: Math.round(entry.seconds * 1_000),
      ...(entry.requestId ? { request_id: entry.requestId } : {}),
    },
    "request handled",
  );
}
