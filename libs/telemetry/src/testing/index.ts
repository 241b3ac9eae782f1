export type { ReceivedSpan } from "./decode-otlp-traces.ts";
export { decodeOtlpTraces } from "./decode-otlp-traces.ts";
export type { OtlpReceiver } from "./otlp-receiver.ts";
export { startOtlpReceiver } from "./otlp-receiver.ts";
