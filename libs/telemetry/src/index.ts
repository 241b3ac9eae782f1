export type { HeaderReader, TraceCarrier } from "./propagation.ts";
export {
  captureTraceCarrier,
  contextFromCarrier,
  extractGrpcMetadata,
  extractHttpHeaders,
  extractNatsHeaders,
  injectGrpcMetadata,
  injectNatsHeaders,
} from "./propagation.ts";
export { errorCodeOf, isFault, recordActiveSpanError, recordSpanError } from "./record-span-error.ts";
export { type RpcSpan, startRpcSpan } from "./rpc-span.ts";
export type { SpanAttributes } from "./server-span.ts";
export { inHttpServerSpan, inServerSpan, nameServerSpan } from "./server-span.ts";
export { SERVICE_NAMESPACE, serviceResourceAttributes } from "./service-resource.ts";
