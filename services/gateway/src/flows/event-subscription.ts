import { MeshError } from "@migrate/errors";
import type { Logger } from "@migrate/logger";
import {
  type Consumer,
  type ConsumerMessages,
  type ConsumerNotification,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
} from "@nats-io/jetstream";

/** Consumer notifications after which no more messages come on the current consumer. */
const BROKEN: ReadonlySet<ConsumerNotification["type"]> = new Set([
  "heartbeats_missed",
  "consumer_deleted",
  "consumer_not_found",
  "stream_not_found",
  "no_responders",
]);

export interface EventSubscription {
  /** Messages waiting on the subject filter when the subscription opened. */
  readonly history: number;
  /**
   * The next message in stream order, undefined once closed. When the consumer breaks it is
   * replaced by a new one from the next stream sequence, so nothing is lost or repeated;
   * UNAVAILABLE if that cannot be done within the resume window.
   */
  next(): Promise<JsMsg | undefined>;
  /** Drops the current consumer (the connection dropped, say): `next` resumes on a new one. */
  interrupt(reason: string): void;
  close(): Promise<void>;
}

export interface NatsConnectionState {
  connected(): boolean;
  /** Resolves once the connection is up (at once when it is). */
  whenConnected(): Promise<void>;
}

export interface EventSubscriptionOptions {
  js: JetStreamClient;
  stream: string;
  filter: string;
  /** The first stream sequence to deliver; without it, every message on the filter from the start. */
  startSequence?: number;
  /** How long the server keeps a consumer whose gateway died without deleting it. */
  inactiveThresholdMs: number;
  /** How long `next` keeps trying to resume a broken consumer before it gives up. */
  resumeWindowMs: number;
  /** The NATS connection's state: no consumer can be made while it is reconnecting. */
  connection: NatsConnectionState;
  logger: Logger;
  onResume?: () => void;
}

function interrupted(cause: unknown): MeshError {
  return new MeshError(
    "UNAVAILABLE",
    "the flow event stream was interrupted; resume after the last event",
    { downstream: "nats" },
    { cause },
  );
}

// The pull's expiry; the server's idle heartbeats come every half of it and the pull is renewed
// after it, so a consumer that says nothing for three of them is gone.
const PULL_EXPIRES_MS = 10_000;
const SILENCE_MS = 3 * PULL_EXPIRES_MS;

/**
 * An ephemeral ordered JetStream consumer on one subject filter that survives NATS restarts.
 * The client library recreates ordered consumers itself, but not reliably: after nats-server
 * was killed (SIGKILL) and started again, its recreated consumer delivered what was waiting and
 * then nothing more, neither messages nor heartbeats nor an error, so a watcher saw only its own
 * heartbeats. So every sign of a broken consumer (a notification above, the connection's
 * disconnect and reconnect via `interrupt`, or silence past three pull expiries) ends it here,
 * and a new consumer starts after the last stream sequence handed out.
 */
export async function openEventSubscription(options: EventSubscriptionOptions): Promise<EventSubscription> {
  const { logger } = options;
  let consumer: Consumer | undefined;
  let messages: ConsumerMessages | undefined;
  let iterator: AsyncIterator<JsMsg> | undefined;
  // The last stream sequence handed out (or, before any, the one before `startSequence`).
  let lastSeq = Math.max(0, (options.startSequence ?? 1) - 1);
  let closed = false;
  let wakeSleeper: (() => void) | undefined;
  // Any message or notification (heartbeats, pulls) shows the consumer is alive.
  let lastSign = Date.now();
  const watchdog = setInterval(() => {
    if (!messages || !options.connection.connected()) lastSign = Date.now();
    else if (Date.now() - lastSign > SILENCE_MS) interrupt("consumer went silent");
  }, PULL_EXPIRES_MS);
  watchdog.unref();

  const attach = async () => {
    const next = await options.js.consumers.get(options.stream, {
      filter_subjects: options.filter,
      ...(lastSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      inactive_threshold: options.inactiveThresholdMs,
    });
    let pending: number;
    let consumed: ConsumerMessages;
    try {
      pending = (await next.info(true)).num_pending;
      consumed = await next.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
    } catch (error) {
      await next.delete().catch(() => {});
      throw error;
    }
    if (closed) {
      consumed.stop();
      await next.delete().catch(() => {});
      return pending;
    }
    consumer = next;
    messages = consumed;
    lastSign = Date.now();
    iterator = consumed[Symbol.asyncIterator]();
    void (async () => {
      for await (const status of consumed.status()) {
        lastSign = Date.now();
        if (!BROKEN.has(status.type)) continue;
        if (messages === consumed) interrupt(status.type);
        return;
      }
    })().catch(() => {});
    return pending;
  };

  /** A sleep that `close` cuts short. */
  const pause = (ms: number) =>
    new Promise<void>((wake) => {
      wakeSleeper = wake;
      setTimeout(wake, Math.max(0, ms)).unref();
    });

  const interrupt = (reason: string) => {
    if (closed || !messages) return;
    logger.debug({ reason, last_seq: lastSeq }, "flow event consumer interrupted");
    messages.stop();
  };

  const resume = async (reason: unknown) => {
    const broken = consumer;
    consumer = undefined;
    messages = undefined;
    // The old consumer is usually gone with the server; when it is not, it must not linger.
    void broken?.delete().catch(() => {});
    const deadline = Date.now() + options.resumeWindowMs;
    for (let attempt = 0; !closed; attempt++) {
      // A request made while reconnecting only runs into its timeout, which could outlast the
      // window although the server is back a moment later: wait for the connection instead.
      if (!options.connection.connected()) {
        await Promise.race([options.connection.whenConnected(), pause(deadline - Date.now())]);
        if (closed) return;
        if (!options.connection.connected()) throw interrupted(reason);
      }
      try {
        await attach();
        logger.info({ last_seq: lastSeq, attempts: attempt + 1 }, "flow event stream resumed on a new consumer");
        options.onResume?.();
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw interrupted(error);
        await pause(Math.min(250 * 2 ** attempt, 2_000));
      }
    }
  };

  let history: number;
  try {
    history = await attach();
  } catch (error) {
    clearInterval(watchdog);
    throw new MeshError("UNAVAILABLE", "flow events are unavailable", { downstream: "nats" }, { cause: error });
  }

  return {
    history,
    async next() {
      for (;;) {
        if (closed) return undefined;
        let failure: unknown;
        try {
          const result = await iterator?.next();
          if (result && !result.done) {
            lastSeq = result.value.seq;
            lastSign = Date.now();
            return result.value;
          }
        } catch (error) {
          failure = error;
        }
        if (closed) return undefined;
        await resume(failure);
      }
    },
    interrupt,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      wakeSleeper?.();
      // stop() unsubscribes at once; return() lets the iterator finish (close() would wait for a
      // next() that nobody calls any more).
      messages?.stop();
      void iterator?.return?.(undefined)?.catch(() => {});
      // An ordered consumer is ephemeral, but the server only drops it after the inactivity threshold.
      await consumer?.delete().catch(() => {});
    },
  };
}
