import type { Logger } from "@migrate/logger";

/**
 * The gateway's access line, at debug: call it when the response is done (`res` "close"). Node
 * emits that event in the request's context, also when the client hangs up first (checked with
 * an event stream its client cancelled), so the line carries the request's trace_id.
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
