import { type EventBus, publishEvent, type UsageEvent, type UsageEventNames } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import type { Context } from "@opentelemetry/api";

export interface UsagePublisher {
  /** Queues the event and returns at once; the agent call never waits for NATS. */
  publish(event: UsageEvent, parent?: Context): void;
  /** Publishes what is queued, for at most `timeoutMs` (shutdown). */
  stop(timeoutMs: number): Promise<void>;
  readonly queued: number;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * Fire and forget with a bounded in-memory queue: one background loop publishes in order with
 * `msgID = event_id` (JetStream drops a re-publish after an ambiguous failure; telemetry's
 * primary key drops anything older), retrying with backoff while NATS is away. When the queue
 * is full the new event is dropped, counted and logged: accounting must never stall the agents.
 */
export function createUsagePublisher(options: {
  bus: EventBus;
  names: UsageEventNames;
  logger: Logger;
  maxQueue: number;
  onDrop?: () => void;
  onQueueSize?: (size: number) => void;
}): UsagePublisher {
  const { bus, names, logger } = options;
  const queue: Array<{ event: UsageEvent; parent?: Context }> = [];
  const encoder = new TextEncoder();
  let running: Promise<void> | undefined;
  let stopping = false;
  let dropped = 0;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function drain(): Promise<void> {
    let backoff = 100;
    while (queue.length > 0) {
      const head = queue[0] as { event: UsageEvent; parent?: Context };
      try {
        await publishEvent(bus.js, {
          subject: names.subject(head.event.client_account_id, head.event.flow_id),
          data: encoder.encode(JSON.stringify(head.event)),
          msgID: head.event.event_id,
          parent: head.parent,
          stream: names.stream,
        });
        queue.shift();
        options.onQueueSize?.(queue.length);
        backoff = 100;
      } catch (error) {
        if (stopping) return;
        logger.warn({ err: error, queued: queue.length, retry_in_ms: backoff }, "usage event not published; retrying");
        await sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  const kick = () => {
    running ??= drain().finally(() => {
      running = undefined;
      if (queue.length > 0 && !stopping) kick();
    });
  };

  return {
    publish(event, parent) {
      if (queue.length >= options.maxQueue) {
        dropped++;
        options.onDrop?.();
        // One line per thousand drops: a broker outage must not flood the logs as well.
        if (dropped === 1 || dropped % 1_000 === 0) {
          logger.error({ dropped, max_queue: options.maxQueue }, "usage event queue full; dropping usage events");
        }
        return;
      }
      queue.push({ event, parent });
      options.onQueueSize?.(queue.length);
      kick();
    },
    async stop(timeoutMs) {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([running ?? Promise.resolve(), deadline]);
      stopping = true;
      wake?.();
      if (queue.length > 0) logger.warn({ unpublished: queue.length }, "usage events left unpublished at shutdown");
    },
    get queued() {
      return queue.length;
    },
  };
}
