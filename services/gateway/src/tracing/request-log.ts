import type { Logger } from "@migrate/logger";

/**
 * The gateway's access line, at debug: call it when the response is done (`res` "close"). Node
 * emits that event from the work the request's answer scheduled, so the request's context is
 * still active there and the line carries its trace_id (see telemetry's context-manager.ts).
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
