import { Counter, Histogram, type Registry } from "@migrate/metrics";

export interface HttpMetrics {
  /** `route` is a template (`/v1/flows/{id}`) or `unmatched`, never a raw path, to bound label values. */
  observe(labels: { method: string; route: string; status: number }, seconds: number): void;
}

/** `gateway_http_requests_total` and `gateway_http_request_duration_seconds` by method, route and status. */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "gateway_http_requests_total",
    help: "HTTP requests answered by the gateway (REST and Connect)",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "gateway_http_request_duration_seconds",
    help: "Time from request start to the end of the response",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    observe({ method, route, status }, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
