export { dropMeshState } from "./drop-mesh-state.ts";
export { freePortBase } from "./free-port-base.ts";
export type { MeshPorts, ServiceName } from "./ports.ts";
export { meshPorts, SERVICE_NAMES } from "./ports.ts";
export type { Mesh, StartMeshOptions } from "./start-mesh.ts";
export { meshEnvironment, startMesh } from "./start-mesh.ts";
export type { ServiceProcess, StartServiceOptions } from "./start-service.ts";
export { meshCredentials, newMeshSecret, SERVICE_NODE_FLAGS, startService } from "./start-service.ts";
