import { Histogram, type Registry } from "@migrate/metrics";

const NAME = "rpc_server_duration_seconds";

/** Observes one handled call: its service, method and outcome (OK or the error code). */
export type RpcObserver = (labels: { rpcService: string; rpcMethod: string; code: string }, seconds: number) => void;

/**
 * `rpc_server_duration_seconds{rpc_service,rpc_method,code}` on `registry` (one per registry,
 * shared by every service added with it). `service` is already every series' process label,
 * hence the `rpc_` prefix; `code` is `OK` or the mesh error code, a closed set.
 */
export function rpcServerMetrics(registry: Registry): RpcObserver {
  const histogram =
    (registry.getSingleMetric(NAME) as Histogram<"rpc_service" | "rpc_method" | "code"> | undefined) ??
    new Histogram({
      name: NAME,
      help: "Time gRPC handlers took, from the call's arrival to its last message, by method and outcome",
      labelNames: ["rpc_service", "rpc_method", "code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  return ({ rpcService, rpcMethod, code }, seconds) =>
    histogram.observe({ rpc_service: rpcService, rpc_method: rpcMethod, code }, seconds);
}
