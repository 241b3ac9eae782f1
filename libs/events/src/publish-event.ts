import { injectNatsHeaders } from "@migrate/telemetry";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { type Context, context, SpanKind, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("@migrate/events");

/**
 * Publishes with `msgID` (the event id) so JetStream drops a re-publish of the same event,
 * and with `traceparent` in the headers under a PRODUCER span.
 */
export async function publishEvent(
  js: JetStreamClient,
  options: { subject: string; data: Uint8Array; msgID: string; parent?: Context; stream?: string },
): Promise<PubAck> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    `publish ${options.stream ?? options.subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "publish",
        "messaging.destination.name": options.subject,
        "messaging.message.id": options.msgID,
      },
    },
    parent,
    async (span) => {
      try {
        // Explicit context: without the SDK there is no context manager, so `context.active()`
        // inside this callback would be empty and an outbox row's trace would be dropped.
        const headers = injectNatsHeaders(natsHeaders(), trace.setSpan(parent, span));
        const ack = await js.publish(options.subject, options.data, { msgID: options.msgID, headers });
        span.setAttribute("messaging.nats.duplicate", ack.duplicate);
        return ack;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: 2 });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
