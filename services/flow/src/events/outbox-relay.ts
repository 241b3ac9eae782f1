import { type Kysely, sql } from "@migrate/db";
import { type EventBus, publishEvent } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import { contextFromCarrier } from "@migrate/telemetry";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { FlowMetrics } from "../flow-metrics.ts";
import { wakeableSleep } from "../wakeable-sleep.ts";

export interface OutboxRelay {
  /** Wakes the relay now: a commit just queued an event. */
  notify(): void;
  /** Lets the pass in progress finish, sends what is queued once more, then stops. */
  stop(): Promise<void>;
}

export interface OutboxRelayOptions {
  db: Kysely<FlowDatabase>;
  js: EventBus["js"];
  logger: Logger;
  metrics?: FlowMetrics;
  stream?: string;
  /** How often to look for rows nobody notified about (a crashed replica's). */
  pollIntervalMs?: number;
  batchSize?: number;
}

const encoder = new TextEncoder();

/**
 * Publishes committed outbox rows to JetStream. Rows are claimed with `for update skip locked`
 * so replicas never send the same row at once; each is published with its event id as
 * Nats-Msg-Id, so a re-send after a crash between publish and mark is dropped by JetStream.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const batchSize = options.batchSize ?? 100;
  let stopping = false;
  const { sleep, wake: notify } = wakeableSleep();

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      let sent = 0;
      try {
        sent = await relayOnce(options, batchSize);
        failures = 0;
      } catch (error) {
        failures++;
        options.metrics?.outboxPublishErrors.inc();
        options.logger.warn({ err: error, failures }, "outbox relay pass failed; will retry");
      }
      if (stopping) break;
      // A full batch means more are waiting: go again at once. Failures back off to 10 s.
      if (sent === batchSize && failures === 0) continue;
      await sleep(failures ? Math.min(pollIntervalMs * 2 ** failures, 10_000) : pollIntervalMs);
    }
  })();

  return {
    notify,
    stop: async () => {
      stopping = true;
      notify();
      await loop;
      // One last pass, so events committed by the calls drained just before are not left for
      // another replica's poll; a failure here only delays them.
      await relayOnce(options, batchSize).catch((error) =>
        options.logger.warn({ err: error }, "final outbox relay pass failed; events stay queued"),
      );
    },
  };
}

/** One pass: claim, publish in order, mark what was sent. Returns how many were sent. */
async function relayOnce(options: OutboxRelayOptions, batchSize: number): Promise<number> {
  const { sent, failure } = await options.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("outbox")
      .select(["id", "event_id", "subject", "payload", "trace_carrier"])
      .where("published_at", "is", null)
      .orderBy("id")
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    const ids: number[] = [];
    let failure: unknown;
    for (const row of rows) {
      try {
        await publishEvent(options.js, {
          subject: row.subject,
          data: encoder.encode(JSON.stringify(row.payload)),
          msgID: row.event_id,
          parent: contextFromCarrier(row.trace_carrier),
          stream: options.stream,
        });
        ids.push(row.id);
      } catch (error) {
        // Later rows wait, so one flow's events are never sent out of order by this replica.
        failure = error;
        break;
      }
    }
    if (ids.length) await trx.updateTable("outbox").set({ published_at: sql`now()` }).where("id", "in", ids).execute();
    return { sent: ids.length, failure };
  });
  options.metrics?.outboxPublished.inc(sent);
  if (failure) throw failure;
  return sent;
}
