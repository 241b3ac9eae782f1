import { status } from "@grpc/grpc-js";
import type { ErrorCode } from "./mesh-error.ts";

/** The closed set of codes. Adding one is a contract change: record it in CHANGELOG.md. */
export const ERROR_CODES = [
  "INVALID_ARGUMENT",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "CONFLICT",
  "FAILED_PRECONDITION",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "INTERNAL",
] as const;

const table: Record<ErrorCode, { grpc: status; http: number }> = {
  INVALID_ARGUMENT: { grpc: status.INVALID_ARGUMENT, http: 400 },
  UNAUTHENTICATED: { grpc: status.UNAUTHENTICATED, http: 401 },
  PERMISSION_DENIED: { grpc: status.PERMISSION_DENIED, http: 403 },
  NOT_FOUND: { grpc: status.NOT_FOUND, http: 404 },
  CONFLICT: { grpc: status.ALREADY_EXISTS, http: 409 },
  FAILED_PRECONDITION: { grpc: status.FAILED_PRECONDITION, http: 409 },
  PAYLOAD_TOO_LARGE: { grpc: status.RESOURCE_EXHAUSTED, http: 413 },
  UNSUPPORTED_MEDIA_TYPE: { grpc: status.INVALID_ARGUMENT, http: 415 },
  RATE_LIMITED: { grpc: status.RESOURCE_EXHAUSTED, http: 429 },
  UNAVAILABLE: { grpc: status.UNAVAILABLE, http: 503 },
  DEADLINE_EXCEEDED: { grpc: status.DEADLINE_EXCEEDED, http: 504 },
  INTERNAL: { grpc: status.INTERNAL, http: 500 },
};

export function grpcStatusFor(code: ErrorCode): status {
  return table[code].grpc;
}

export function httpStatusFor(code: ErrorCode): number {
  return table[code].http;
}
