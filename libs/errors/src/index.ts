export { isConnectionLost, isUnstorableText } from "./connection-lost.ts";
export type { ErrorCode, ErrorDetails } from "./mesh-error.ts";
export { isMeshError, MeshError } from "./mesh-error.ts";
export { ERROR_CODES, grpcStatusFor, httpStatusFor } from "./status-map.ts";
