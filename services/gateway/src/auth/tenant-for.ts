import type { TenantContext } from "@migrate/grpc";
import type { Principal } from "./verify-token.ts";

/** The tenant context every downstream call carries, from the verified caller and the request id. */
export function tenantFor(principal: Principal, requestId: string): TenantContext {
  return {
    clientAccountId: principal.clientAccountId,
    engagementId: principal.engagementId,
    userId: principal.sub,
    requestId,
    roles: principal.roles,
  };
}
