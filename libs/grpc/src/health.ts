import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

export type HealthStatus = "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN" | "UNREACHABLE";

const HealthClient = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, "Health");
const clients = new Map<string, grpc.Client>();

/** `grpc.health.v1.Health/Check` against `target`; any transport failure reads as UNREACHABLE. */
export function checkHealth(target: string, service = "", timeoutMs = 1_000): Promise<HealthStatus> {
  let client = clients.get(target);
  if (!client) {
    // A health check asks "is it there now?": reconnect within 100 ms-1 s, not grpc-js's default
    // 1 s-120 s backoff, which would report a service that just came up seconds late.
    client = new HealthClient(target, grpc.credentials.createInsecure(), {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1_000,
    });
    clients.set(target, client);
  }
  return new Promise((resolve) => {
    (client as unknown as { check: grpc.requestCallback<unknown> & ((...args: unknown[]) => void) }).check(
      { service },
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, res: { status: HealthStatus | number } | undefined) => {
        if (err) resolve(err.code === grpc.status.NOT_FOUND ? "SERVICE_UNKNOWN" : "UNREACHABLE");
        else
          resolve(
            typeof res?.status === "string"
              ? res.status
              : (["UNKNOWN", "SERVING", "NOT_SERVING"][res?.status ?? 0] as HealthStatus),
          );
      },
    );
  });
}
