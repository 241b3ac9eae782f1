import {
  type ConsumedMessage,
  type ConsumeHandle,
  consumeDurable,
  type EventBus,
  ensureDurableConsumer,
  ensureStream,
  type FlowEventNames,
} from "@migrate/events";
import type { Logger } from "@migrate/logger";

/**
 * Makes sure the flow events stream and the durable consumer exist (telemetry may start before
 * flow), then runs `handle` for each event; a message is acked only once `handle` resolved.
 */
export async function startFlowEventConsumer(options: {
  bus: EventBus;
  names: FlowEventNames;
  durable: string;
  ackWaitMs?: number;
  logger: Logger;
  handle: (message: ConsumedMessage) => Promise<unknown>;
}): Promise<ConsumeHandle & { pending(): Promise<number> }> {
  const { bus, names, durable, logger } = options;
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
  await ensureDurableConsumer(bus.jsm, {
    stream: names.stream,
    durable,
    filterSubject: names.subjects,
    ackWaitMs: options.ackWaitMs,
  });
  const consumer = await consumeDurable(bus.js, {
    stream: names.stream,
    durable,
    handler: async (message) => {
      await options.handle(message);
    },
    onError: (error, message) =>
      logger.error(
        { err: error, subject: message.subject, stream_sequence: message.streamSequence },
        "flow event not recorded; it will be redelivered",
      ),
  });
  logger.info({ stream: names.stream, durable }, "consuming flow events");
  return {
    stop: () => consumer.stop(),
    pending: async () => (await bus.jsm.consumers.info(names.stream, durable)).num_pending,
  };
}
