import type { IncomingMessage, ServerResponse } from "node:http";
import type { TenantContext } from "@migrate/grpc";
import { tenantFor } from "../auth/tenant-for.ts";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { RateBucket, RateLimiter } from "../rate-limit/rate-limiter.ts";
import type { RestContext } from "./rest-router.ts";

/** Verifies the caller and counts the call against its tenant's rate limit (401, then 429). */
export type Authenticate = (ctx: RestContext, bucket?: RateBucket) => Promise<TenantContext>;

export function createAuthenticate(deps: { verifier: TokenVerifier; limiter: RateLimiter }): Authenticate {
  return async (ctx, bucket = "requests") => {
    const tenant = tenantFor(await deps.verifier.verify(ctx.req.headers.authorization), ctx.requestId);
    await deps.limiter.check(tenant.clientAccountId, bucket);
    return tenant;
  };
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Cancels the downstream call (or event stream) when the client goes away before its answer is complete. */
export function abortWhenClientGone(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client closed the connection"));
  });
  req.once("aborted", () => controller.abort(new Error("client aborted the request")));
  return controller.signal;
}
