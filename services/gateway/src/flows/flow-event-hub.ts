import { MeshError } from "@migrate/errors";
import type { EventBus, FlowEventEnvelope, FlowEventNames } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import type { JsMsg } from "@nats-io/jetstream";
import { type EventSubscription, type NatsConnectionState, openEventSubscription } from "./event-subscription.ts";
import { FlowEventLog, type FlowEventReader, type LoggedEvent } from "./flow-event-log.ts";

export interface FlowEventHub {
  /**
   * A reader at the start of the flow's log (its history, then its live events). The first
   * watcher of a flow loads the history from JetStream for all who come while it is kept;
   * UNAVAILABLE when NATS is away past the resume window or the history cannot be read.
   */
  join(clientAccountId: string, flowId: string): Promise<FlowEventReader>;
  /** Moves the shared subscription and the history loads to new consumers (NATS reconnected). */
  interrupt(reason: string): void;
  /** Flows held and the events in them. */
  size(): { flows: number; events: number };
  /** Ends every reader (its `next` answers undefined) and stops the shared subscription. */
  close(): Promise<void>;
}

export interface FlowEventHubOptions {
  bus: Pick<EventBus, "js" | "jsm">;
  names: FlowEventNames;
  connection: NatsConnectionState;
  logger: Logger;
  inactiveThresholdMs: number;
  resumeWindowMs: number;
  /** How long a flow's log is kept after its last watcher left, for reconnecting clients. */
  lingerMs: number;
  onResume?: () => void;
  onHistoryLoad?: () => void;
}

/**
 * Every flow event of the stream through one ordered JetStream consumer per gateway process,
 * fanned out in-process by flow to the flows' logs. The subscription starts at the stream's next
 * sequence when the first watcher comes, and a flow's history is read by a short-lived consumer
 * on that flow's subjects once that subscription is in place: whatever the history does not
 * hold was stored later and so comes through the shared subscription, and stream sequences drop
 * what both hold. A broken subscription resumes after the last sequence it delivered (see
 * `openEventSubscription`), so the logs never miss an event; when it cannot within the resume
 * window every watcher ends with UNAVAILABLE (its client resumes after its last event id), new
 * watches are refused until it is back, and it goes on trying.
 */
export function createFlowEventHub(options: FlowEventHubOptions): FlowEventHub {
  const { names, logger } = options;
  const logs = new Map<string, FlowEventLog>();
  const loads = new Set<EventSubscription>();
  // The length of `<prefix>.`: a subject's next two tokens are the client account and the flow.
  const prefixLength = names.subjects.length - 1;
  let shared: Promise<EventSubscription> | undefined;
  let subscription: EventSubscription | undefined;
  let down: unknown;
  let closed = false;

  const keyOf = (subject: string): string | undefined => {
    const account = subject.indexOf(".", prefixLength);
    const flow = account < 0 ? -1 : subject.indexOf(".", account + 1);
    return flow < 0 ? undefined : subject.slice(prefixLength, flow);
  };

  const start = async (): Promise<EventSubscription> => {
    let next: number;
    try {
      next = (await options.bus.jsm.streams.info(names.stream)).state.last_seq + 1;
    } catch (error) {
      throw new MeshError("UNAVAILABLE", "flow events are unavailable", { downstream: "nats" }, { cause: error });
    }
    const opened = await openEventSubscription({
      js: options.bus.js,
      stream: names.stream,
      filter: names.subjects,
      startSequence: next,
      inactiveThresholdMs: options.inactiveThresholdMs,
      resumeWindowMs: options.resumeWindowMs,
      connection: options.connection,
      logger,
      onResume: () => {
        down = undefined;
        options.onResume?.();
      },
    });
    subscription = opened;
    void pump(opened);
    return opened;
  };

  const pump = async (from: EventSubscription) => {
    while (!closed) {
      let msg: JsMsg | undefined;
      try {
        msg = await from.next();
      } catch (error) {
        // Past the resume window: every watcher ends with the error; the subscription keeps trying.
        down = error;
        logger.warn({ err: error, flows: logs.size }, "flow events unavailable; ending the watches");
        for (const log of logs.values()) for (const reader of log.readers) reader.fail(error);
        await new Promise((resolve) => setTimeout(resolve, 500).unref());
        continue;
      }
      if (!msg) return;
      down = undefined;
      const key = keyOf(msg.subject);
      const log = key === undefined ? undefined : logs.get(key);
      if (!log) continue;
      const envelope = decode(msg, logger);
      if (envelope) log.append({ seq: msg.seq, envelope });
      else if (!log.loading) log.lastSeq = Math.max(log.lastSeq, msg.seq);
    }
  };

  const loadHistory = async (log: FlowEventLog, filter: string) => {
    const history = await openEventSubscription({
      js: options.bus.js,
      stream: names.stream,
      filter,
      inactiveThresholdMs: options.inactiveThresholdMs,
      resumeWindowMs: options.resumeWindowMs,
      connection: options.connection,
      logger,
    });
    loads.add(history);
    options.onHistoryLoad?.();
    try {
      const events: LoggedEvent[] = [];
      let lastSeq = 0;
      for (let read = 0; read < history.history; read++) {
        const msg = await history.next();
        if (!msg) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
        lastSeq = msg.seq;
        const envelope = decode(msg, logger);
        if (envelope) events.push({ seq: msg.seq, envelope });
      }
      log.loaded(events, lastSeq);
    } finally {
      loads.delete(history);
      await history.close();
    }
  };

  const pending = new Map<string, Promise<FlowEventLog>>();
  const logFor = (key: string, filter: string): Promise<FlowEventLog> => {
    const held = logs.get(key);
    if (held) return Promise.resolve(held);
    let loading = pending.get(key);
    if (!loading) {
      const log = new FlowEventLog();
      // In the map from now on, so the shared subscription's events queue up while the history loads.
      logs.set(key, log);
      loading = loadHistory(log, filter).then(
        () => log,
        (error) => {
          if (logs.get(key) === log) logs.delete(key);
          throw error;
        },
      );
      loading.finally(() => pending.delete(key)).catch(() => {});
      pending.set(key, loading);
    }
    return loading;
  };

  const release = (key: string, log: FlowEventLog) => {
    if (log.readers.size > 0) return;
    setTimeout(() => {
      if (log.readers.size === 0 && logs.get(key) === log) logs.delete(key);
    }, options.lingerMs).unref();
  };

  return {
    async join(clientAccountId, flowId) {
      if (closed) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
      if (down !== undefined) throw unavailable(down);
      if (!shared) {
        shared = start();
        shared.catch(() => {
          shared = undefined;
        });
      }
      await shared;
      const filter = names.flowFilter(clientAccountId, flowId);
      const key = filter.slice(prefixLength, -2);
      let log = await logFor(key, filter);
      // Let go of (by its linger) while this watch waited: that log no longer gets live events.
      while (logs.get(key) !== log) {
        if (closed) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
        log = await logFor(key, filter);
      }
      const reader = log.reader();
      reader.onClose = () => release(key, log);
      return reader;
    },
    interrupt(reason) {
      subscription?.interrupt(reason);
      for (const load of loads) load.interrupt(reason);
    },
    size() {
      let events = 0;
      for (const log of logs.values()) events += log.events.length;
      return { flows: logs.size, events };
    },
    async close() {
      closed = true;
      for (const log of logs.values()) for (const reader of [...log.readers]) reader.close();
      logs.clear();
      await Promise.all([subscription?.close(), ...[...loads].map((load) => load.close())]);
    },
  };
}

function unavailable(cause: unknown): MeshError {
  return new MeshError(
    "UNAVAILABLE",
    "flow events are unavailable; resume after the last event",
    { downstream: "nats" },
    { cause },
  );
}

function decode(msg: JsMsg, logger: Logger): FlowEventEnvelope | undefined {
  try {
    const envelope = msg.json<FlowEventEnvelope>();
    if (typeof envelope?.event_id === "string" && typeof envelope.type === "string") return envelope;
  } catch {
    // Logged below.
  }
  logger.warn({ subject: msg.subject, seq: msg.seq }, "skipping a malformed flow event");
  return undefined;
}
