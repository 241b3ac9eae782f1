export type { CallOptions, ClientHandle, ServiceClient } from "./client.ts";
export { createClient } from "./client.ts";
export type { DependencyProbe, DependencyWatcher } from "./dependency-watcher.ts";
export { watchDependencies } from "./dependency-watcher.ts";
export type { HealthStatus } from "./health.ts";
export { checkHealth } from "./health.ts";
export type { MeshCredentials } from "./mesh-credentials.ts";
export {
  createMeshCredentials,
  MESH_SECRET_MIN_LENGTH,
  MESH_TOKEN_METADATA,
  REQUEST_ID_METADATA,
} from "./mesh-credentials.ts";
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
