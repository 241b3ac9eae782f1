import { extractNatsHeaders } from "@migrate/telemetry";
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { context, SpanKind, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("@migrate/events");

export interface ConsumedMessage {
  subject: string;
  data: Uint8Array;
  msgID: string | undefined;
  /** 1 on first delivery; more after a crash or a nak. */
  deliveryCount: number;
  streamSequence: number;
}

export interface ConsumeHandle {
  /** Stops fetching, lets the message in hand finish, then resolves. */
  stop(): Promise<void>;
}

/**
 * Runs `handler` for each message of a durable consumer under a CONSUMER span continuing the
 * publisher's trace. The message is acked only after the handler succeeds, so a crash redelivers
 * it; handlers must therefore be idempotent (the telemetry inbox is).
 */
export async function consumeDurable(
  js: JetStreamClient,
  options: {
    stream: string;
    durable: string;
    handler: (message: ConsumedMessage) => Promise<void>;
    onError?: (error: unknown, message: ConsumedMessage) => void;
    retryDelayMs?: number;
  },
): Promise<ConsumeHandle> {
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 256 });
  const loop = (async () => {
    for await (const msg of messages) await handleOne(msg);
  })();

  async function handleOne(msg: JsMsg): Promise<void> {
    const message: ConsumedMessage = {
      subject: msg.subject,
      data: msg.data,
      msgID: msg.headers?.get("Nats-Msg-Id") || undefined,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.info.streamSequence,
    };
    const parent = extractNatsHeaders(msg.headers);
    await tracer.startActiveSpan(
      `process ${options.stream}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "process",
          "messaging.destination.name": msg.subject,
          "messaging.consumer.group.name": options.durable,
          "messaging.message.id": message.msgID ?? "",
        },
      },
      parent,
      async (span) => {
        try {
          await context.with(trace.setSpan(parent, span), () => options.handler(message));
          msg.ack();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: 2 });
          options.onError?.(error, message);
          msg.nak(options.retryDelayMs ?? 1_000);
        } finally {
          span.end();
        }
      },
    );
  }

  return {
    stop: async () => {
      await messages.close();
      await loop;
    },
  };
}
