export type { CallOptions, ClientHandle, ServiceClient } from "./client.ts";
export { createClient } from "./client.ts";
export type { HealthStatus } from "./health.ts";
export { checkHealth } from "./health.ts";
export type { CallContext, GrpcServerHandle, ServiceImpl } from "./server.ts";
export { addService, startGrpcServer } from "./server.ts";
export { grpcServiceDefinition } from "./service-definition.ts";
export type { TenantContext } from "./tenant-context.ts";
export { TENANT_METADATA, tenantFromMetadata, tenantToMetadata } from "./tenant-context.ts";
