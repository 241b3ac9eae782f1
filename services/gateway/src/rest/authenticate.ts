import type { IncomingMessage, ServerResponse } from "node:http";
import type { TenantContext } from "@migrate/grpc";
import { isReadMethod, requireWriter } from "../auth/permissions.ts";
import { tenantFor } from "../auth/tenant-for.ts";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { RateBucket, RateLimiter } from "../rate-limit/rate-limiter.ts";
import type { RestContext } from "./rest-router.ts";

/**
 * Verifies the caller, checks that its roles allow the request (any method but GET and HEAD
 * writes: viewers may not), and counts the call against its tenant's rate limit (401, 403, then
 * 429; a refused write spends no budget).
 */
export type Authenticate = (ctx: RestContext, bucket?: RateBucket) => Promise<TenantContext>;

export function createAuthenticate(deps: { verifier: TokenVerifier; limiter: RateLimiter }): Authenticate {
  return async (ctx, bucket = "requests") => {
    const tenant = tenantFor(await deps.verifier.verify(ctx.req.headers.authorization), ctx.requestId);
    if (!isReadMethod(ctx.req.method)) requireWriter(tenant);
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
