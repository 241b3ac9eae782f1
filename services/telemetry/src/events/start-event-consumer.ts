import {
  type ConsumedMessage,
  type ConsumeHandle,
  consumeDurable,
  type EventBus,
  ensureDurableConsumer,
  ensureStream,
} from "@migrate/events";
import type { Logger } from "@migrate/logger";

/**
 * Makes sure a stream (flow events, usage events) and its durable consumer exist (telemetry may
 * start before their publishers), then runs `handle` for each event; a message is acked only
 * once `handle` resolved. `what` names the events in logs.
 */
export async function startEventConsumer(options: {
  bus: EventBus;
  names: { stream: string; subjects: string };
  what?: string;
  durable: string;
  ackWaitMs?: number;
  logger: Logger;
  handle: (message: ConsumedMessage) => Promise<unknown>;
}): Promise<ConsumeHandle & { pending(): Promise<number> }> {
  const { bus, names, durable, logger } = options;
  const what = options.what ?? "flow events";
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
        `${what}: message not recorded; it will be redelivered`,
      ),
  });
  logger.info({ stream: names.stream, durable }, `consuming ${what}`);
  return {
    stop: () => consumer.stop(),
    pending: async () => (await bus.jsm.consumers.info(names.stream, durable)).num_pending,
  };
}
