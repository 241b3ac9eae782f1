import { Metadata } from "@grpc/grpc-js";
import { MeshError } from "@migrate/errors";

/** Who is calling, carried on every internal call; every query is scoped by `clientAccountId`. */
export interface TenantContext {
  clientAccountId: string;
  engagementId: string;
  userId: string;
  requestId: string;
  roles: string[];
}

export const TENANT_METADATA = {
  clientAccountId: "x-client-account-id",
  engagementId: "x-engagement-id",
  userId: "x-user-id",
  requestId: "x-request-id",
  roles: "x-roles",
} as const;

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function tenantToMetadata(tenant: TenantContext, md: Metadata = new Metadata()): Metadata {
  md.set(TENANT_METADATA.clientAccountId, tenant.clientAccountId);
  if (tenant.engagementId) md.set(TENANT_METADATA.engagementId, tenant.engagementId);
  md.set(TENANT_METADATA.userId, tenant.userId);
  md.set(TENANT_METADATA.requestId, tenant.requestId);
  if (tenant.roles.length) md.set(TENANT_METADATA.roles, tenant.roles.join(","));
  return md;
}

/** Reads the tenant context; a call without a valid client account is refused. */
export function tenantFromMetadata(md: Metadata): TenantContext {
  const get = (key: string) => {
    const value = md.get(key)[0];
    return value === undefined ? "" : String(value);
  };
  const clientAccountId = get(TENANT_METADATA.clientAccountId);
  if (!TENANT_ID.test(clientAccountId)) {
    throw new MeshError("UNAUTHENTICATED", "missing or invalid tenant context (x-client-account-id)", {
      field: TENANT_METADATA.clientAccountId,
    });
  }
  const engagementId = get(TENANT_METADATA.engagementId);
  if (engagementId && !TENANT_ID.test(engagementId)) {
    throw new MeshError("INVALID_ARGUMENT", "invalid engagement id", { field: TENANT_METADATA.engagementId });
  }
  const roles = get(TENANT_METADATA.roles);
  return {
    clientAccountId,
    engagementId,
    userId: get(TENANT_METADATA.userId),
    requestId: get(TENANT_METADATA.requestId),
    roles: roles ? roles.split(",") : [],
  };
}
