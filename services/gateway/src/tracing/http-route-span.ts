import { nameServerSpan } from "@migrate/telemetry";

/**
 * Names the request's HTTP server span after its route template (`GET /v1/flows/{id}`), with
 * `http.route` and the request id, so Jaeger lists operations rather than bare methods and an
 * X-Request-Id a user reports finds its trace. Call it once the route is known, inside the
 * request handler (where the span is active). No-op when tracing is off.
 */
export function nameHttpRouteSpan(method: string, route: string, requestId?: string): void {
  nameServerSpan(`${method} ${route}`, {
    "http.route": route,
    ...(requestId ? { "migrate.request_id": requestId } : {}),
  });
}
