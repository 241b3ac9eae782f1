export type { EventBus } from "./connect-events.ts";
export { connectEvents } from "./connect-events.ts";
export type { ConsumedMessage, ConsumeHandle } from "./consume-durable.ts";
export { consumeDurable } from "./consume-durable.ts";
export type { FlowEventNames } from "./flow-subjects.ts";
export { flowEventNames } from "./flow-subjects.ts";
export { publishEvent } from "./publish-event.ts";
export { ensureDurableConsumer, ensureStream } from "./streams.ts";
