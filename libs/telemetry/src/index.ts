export type { TraceCarrier } from "./propagation.ts";
export {
  captureTraceCarrier,
  contextFromCarrier,
  extractGrpcMetadata,
  extractNatsHeaders,
  injectGrpcMetadata,
  injectNatsHeaders,
} from "./propagation.ts";
