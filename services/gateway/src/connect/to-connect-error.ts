import { fromJson, type JsonObject } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { type Code, ConnectError } from "@connectrpc/connect";
import { grpcStatusFor, isMeshError } from "@migrate/errors";
import { isRelayedError } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { bearerChallenge } from "../auth/verify-token.ts";

/**
 * A MeshError as the Connect error of the same code (Connect codes are gRPC's numbers). The
 * mesh code and its details (row, column, field...) travel two ways: `x-error-code` and
 * `x-error-details` metadata, as on internal gRPC hops, and a `google.protobuf.Struct` detail.
 * Anything else is logged and reported as a bare internal error.
 */
export function toConnectError(error: unknown, logger: Logger): ConnectError {
  if (error instanceof ConnectError) return error;
  if (!isMeshError(error)) {
    logger.error({ err: error }, "unhandled error");
    return new ConnectError("internal error", grpcStatusFor("INTERNAL") as number as Code, {
      "x-error-code": "INTERNAL",
    });
  }
  // A downstream INTERNAL was logged where it happened; log only the gateway's own.
  if (error.code === "INTERNAL" && !isRelayedError(error))
    logger.error({ err: error.cause ?? error, code: error.code }, error.message);
  const metadata = new Headers({
    "x-error-code": error.code,
    "x-error-details": JSON.stringify(error.details),
  });
  if (error.code === "UNAUTHENTICATED") metadata.set("www-authenticate", bearerChallenge(error));
  const retryAfter = error.details.retry_after_seconds;
  if (error.code === "RATE_LIMITED" && typeof retryAfter === "number") metadata.set("retry-after", String(retryAfter));
  const detail = {
    desc: StructSchema,
    value: fromJson(StructSchema, { code: error.code, ...error.details } as JsonObject),
  };
  return new ConnectError(error.message, grpcStatusFor(error.code) as number as Code, metadata, [detail], error);
}
