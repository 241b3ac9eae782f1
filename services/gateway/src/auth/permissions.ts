import { MeshError } from "@migrate/errors";
import type { TenantContext } from "@migrate/grpc";

/**
 * The roles a token may carry (claim `roles`):
 * - `viewer`: reads its tenant's flows, results, events, usage and patterns; changes nothing.
 * - `analyst`: also writes: uploads, lifecycle actions, mapping approvals, budgets, learned patterns.
 * - `admin`: everything an analyst may, plus the platform-wide model pricing (checked by telemetry).
 * A token with no role, or only roles the gateway does not know, reads like a viewer: writing is
 * granted, never assumed.
 */
export const WRITER_ROLES: readonly string[] = ["analyst", "admin"];

/** Whether the caller may change data (any write route or RPC). */
export function canWrite(roles: readonly string[]): boolean {
  return roles.some((role) => WRITER_ROLES.includes(role));
}

/** PERMISSION_DENIED (403, Connect `permission_denied`) unless the caller may write. */
export function requireWriter(tenant: TenantContext): void {
  if (canWrite(tenant.roles)) return;
  throw new MeshError(
    "PERMISSION_DENIED",
    `this operation changes data and needs the ${WRITER_ROLES.join(" or ")} role; the token's roles (${tenant.roles.join(", ") || "none"}) only read`,
    { roles: [...WRITER_ROLES] },
  );
}

/** REST: GET and HEAD read; every other method (POST, PUT, PATCH, DELETE) writes. */
export function isReadMethod(method: string | undefined): boolean {
  return method === "GET" || method === "HEAD";
}

/**
 * Connect methods that only read. Anything not listed is treated as a write, so a method added
 * to the protos later is refused to viewers until someone decides otherwise here.
 */
const READ_RPCS: ReadonlySet<string> = new Set([
  "migrate.gateway.v1.FlowsService/GetFlow",
  "migrate.gateway.v1.FlowsService/ListFlows",
  "migrate.gateway.v1.FlowsService/GetMappings",
  "migrate.gateway.v1.FlowsService/ListAssets",
  "migrate.gateway.v1.FlowsService/ListApplications",
  "migrate.gateway.v1.FlowsService/ListDependencies",
  "migrate.gateway.v1.FlowsService/ListWaves",
  "migrate.gateway.v1.FlowsService/ListIssues",
  "migrate.gateway.v1.FlowsService/GetReport",
  "migrate.gateway.v1.FlowsService/ExportAssets",
  "migrate.gateway.v1.FlowsService/WatchFlow",
  "migrate.gateway.v1.UsageService/GetUsage",
  "migrate.gateway.v1.UsageService/GetBudget",
  "migrate.gateway.v1.UsageService/ListPricing",
  "migrate.gateway.v1.UsageService/GetFlowTimeline",
  "migrate.gateway.v1.LearningService/ListPatterns",
]);

/** Whether the Connect method `<service type name>/<method name>` only reads. */
export function isReadRpc(service: string, method: string): boolean {
  return READ_RPCS.has(`${service}/${method}`);
}
