import type { Kysely } from "@migrate/db";
import type { ConsumedMessage } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { parseFlowEvent } from "./parse-flow-event.ts";
import type { RecordOutcome, TelemetryMetrics } from "./telemetry-metrics.ts";

/**
 * The consumer's handler: records each flow event once. A redelivered event (crash before the
 * ack, or the same event published twice) hits the primary key and is a no-op; a malformed one
 * is logged and skipped so it cannot block the stream. Any other failure throws, so the message
 * is not acked and comes back.
 */
export function flowEventRecorder(options: {
  db: Kysely<TelemetryDatabase>;
  logger: Logger;
  metrics: TelemetryMetrics;
}): (message: ConsumedMessage) => Promise<RecordOutcome> {
  const { db, logger, metrics } = options;
  const poison = (message: ConsumedMessage, reason: string): RecordOutcome => {
    // Subject and sequence locate the message; its body may hold inventory data and is never logged.
    logger.warn(
      { subject: message.subject, stream_sequence: message.streamSequence, msg_id: message.msgID, reason },
      "skipping malformed flow event",
    );
    metrics.flowEvents.inc({ outcome: "poison" });
    return "poison";
  };

  return async (message) => {
    const parsed = parseFlowEvent(message.data);
    if (!parsed.ok) return poison(message, parsed.reason);
    const event = parsed.event;
    let inserted: bigint;
    try {
      const result = await db
        .insertInto("flow_events_inbox")
        .values({
          event_id: event.eventId,
          client_account_id: event.clientAccountId,
          engagement_id: event.engagementId,
          flow_id: event.flowId,
          type: event.type,
          phase: event.phase,
          progress: event.progress,
          occurred_at: event.occurredAt,
          subject: message.subject,
          stream_sequence: message.streamSequence,
          payload: JSON.stringify(event.payload),
        })
        .onConflict((oc) => oc.column("event_id").doNothing())
        .executeTakeFirst();
      inserted = result.numInsertedOrUpdatedRows ?? 0n;
    } catch (error) {
      // SQLSTATE class 22 (data exception, e.g. a NUL byte or an out-of-range date) will fail
      // the same way on every redelivery: treat it as poison rather than retry forever.
      if (String((error as { code?: unknown }).code ?? "").startsWith("22")) {
        return poison(message, `rejected by the database (${(error as { code: string }).code})`);
      }
      throw error;
    }
    const outcome: RecordOutcome = inserted > 0n ? "recorded" : "duplicate";
    metrics.flowEvents.inc({ outcome });
    if (outcome === "duplicate") {
      logger.debug({ event_id: event.eventId, delivery_count: message.deliveryCount }, "flow event already recorded");
    } else {
      logger.debug({ event_id: event.eventId, type: event.type, flow_id: event.flowId }, "flow event recorded");
    }
    return outcome;
  };
}
