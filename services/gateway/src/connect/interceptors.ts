import { ConnectError, type ContextValues, createContextKey, type Interceptor } from "@connectrpc/connect";
import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { isReadRpc, requireWriter } from "../auth/permissions.ts";
import { tenantFor } from "../auth/tenant-for.ts";
import type { TokenVerifier } from "../auth/verify-token.ts";
import { requestIdFrom } from "../http/request-id.ts";
import type { RateLimiter } from "../rate-limit/rate-limiter.ts";
import { toConnectError } from "./to-connect-error.ts";

/** The verified caller's tenant context, set by `authInterceptor` for every handler. */
export const tenantKey = createContextKey<TenantContext | undefined>(undefined, { description: "tenant context" });
const requestIdKey = createContextKey<string>("", { description: "request id" });

/**
 * Outermost: takes or makes the request id, echoes it on success and failure, and turns every
 * error into a ConnectError so no internals leak.
 */
export function errorInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const requestId = requestIdFrom(req.header.get("x-request-id"));
    req.contextValues.set(requestIdKey, requestId);
    const convert = (error: unknown) => {
      const connectError = toConnectError(
        error,
        logger.child({ request_id: requestId, rpc: `${req.service.typeName}/${req.method.name}` }),
      );
      connectError.metadata.set("x-request-id", requestId);
      return connectError;
    };
    try {
      const res = await next(req);
      res.header.set("x-request-id", requestId);
      if (!res.stream) return res;
      // A streaming handler fails while its messages are read, after this call returned.
      const messages = res.message;
      return {
        ...res,
        message: (async function* () {
          try {
            yield* messages;
          } catch (error) {
            throw convert(error);
          }
        })(),
      };
    } catch (error) {
      throw convert(error);
    }
  };
}

/**
 * Verifies the bearer token and the caller's right to write exactly as the REST API does
 * (viewers only read); no handler runs without a tenant.
 */
export function authInterceptor(verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    const principal = await verifier.verify(req.header.get("authorization"));
    const tenant = tenantFor(principal, req.contextValues.get(requestIdKey));
    if (!isReadRpc(req.service.typeName, req.method.name)) requireWriter(tenant);
    req.contextValues.set(tenantKey, tenant);
    return next(req);
  };
}

/** Counts each call against its tenant's budget, as REST does; CreateFlow is also an upload. */
export function rateLimitInterceptor(limiter: RateLimiter): Interceptor {
  return (next) => async (req) => {
    const tenant = requireTenant(req.contextValues);
    await limiter.check(tenant.clientAccountId, req.method.name === "CreateFlow" ? "uploads" : "requests");
    return next(req);
  };
}

/** The tenant of the current call; a handler reached without one is a wiring bug. */
export function requireTenant(values: ContextValues): TenantContext {
  const tenant = values.get(tenantKey);
  if (!tenant) throw new ConnectError("tenant context missing");
  return tenant;
}
