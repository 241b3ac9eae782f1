import { Metadata } from "@grpc/grpc-js";

/**
 * True for an error another service raised and this one only passes on: the client made it from
 * that service's gRPC status (see client.ts `toMeshError`). That service logged it, under the same
 * trace id; an edge passing it on (a handler, the gateway) should not log it again as its own.
 */
export function isRelayedError(error: unknown): boolean {
  const cause = (error as { cause?: { metadata?: unknown; code?: unknown } } | null)?.cause;
  return cause?.metadata instanceof Metadata && typeof cause.code === "number";
}
