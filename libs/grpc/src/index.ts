export type { CallOptions, ClientHandle, ServiceClient } from "./client.ts";
export { createClient } from "./client.ts";
export type { DependencyProbe, DependencyWatcher } from "./dependency-watcher.ts";
export { watchDependencies } from "./dependency-watcher.ts";
export type { HealthStatus } from "./health.ts";
export { checkHealth } from "./health.ts";
export { isRelayedError } from "./relayed-error.ts";
export type { RpcObserver } from "./rpc-server-metrics.ts";
export { rpcServerMetrics } from "./rpc-server-metrics.ts";
export type {
  AddServiceOptions,
  CallContext,
  GrpcServerHandle,
  ServiceImpl,
  StartGrpcServerOptions,
} from "./server.ts";
export { addService, LIVENESS_SERVICE, startGrpcServer } from "./server.ts";
export { grpcServiceDefinition } from "./service-definition.ts";
export type { TenantContext } from "./tenant-context.ts";
export { TENANT_METADATA, tenantFromMetadata, tenantToMetadata } from "./tenant-context.ts";
