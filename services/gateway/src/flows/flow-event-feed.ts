import { MeshError } from "@migrate/errors";
import type { EventBus, FlowEventEnvelope, FlowEventNames } from "@migrate/events";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { Counter, Gauge, type Registry } from "@migrate/metrics";
import type { JsMsg } from "@nats-io/jetstream";
import { type EventSubscription, openEventSubscription } from "./event-subscription.ts";
import type { FlowOperations } from "./flow-operations.ts";

/** Events after which a flow does nothing more unless a person acts (retry). */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set(["flow.completed", "flow.failed", "flow.cancelled"]);

/** Every flow's first event: a history holding it is complete. */
const FIRST_EVENT_TYPE = "flow.created";
const TERMINAL_STATUSES = new Set([FlowStatus.COMPLETED, FlowStatus.FAILED, FlowStatus.CANCELLED]);

export interface WatchOptions {
  tenant: TenantContext;
  flowId: string;
  /** Resume after this event (the last one the client saw); history before it is skipped. */
  afterEventId?: string;
  /** Keep watching after a terminal event (a retried flow goes on). */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface FlowEventFeed {
  /**
   * Checks that the flow is the caller's (NOT_FOUND otherwise, as for an unknown id), opens an
   * ephemeral ordered consumer on its subjects from the start of the stream, and skips to
   * `afterEventId` (INVALID_ARGUMENT when the flow has no such event). The iterable yields the
   * events that follow, ends after a terminal event unless `follow`, and deletes the consumer
   * when it ends, whether it ran out, was left early or `signal` aborted. A consumer broken by a
   * NATS restart is replaced from the next event; when NATS stays away past the resume window
   * the iterable throws UNAVAILABLE, so the client reconnects with the last event id.
   */
  watch(options: WatchOptions): Promise<AsyncIterable<FlowEventEnvelope>>;
  /** Ends every open watch and refuses new ones (shutdown). */
  closeAll(): Promise<void>;
}

/** The one source of live flow events for SSE (`GET /v1/flows/{id}/events`) and Connect `WatchFlow`. */
export function createFlowEventFeed(deps: {
  bus: EventBus;
  names: FlowEventNames;
  operations: Pick<FlowOperations, "get">;
  logger: Logger;
  registry: Registry;
  /** How long the server keeps a consumer whose gateway died without deleting it. */
  inactiveThresholdMs?: number;
  /** How long a watch waits for NATS to come back before it ends with UNAVAILABLE. */
  resumeWindowMs?: number;
}): FlowEventFeed {
  const open = new Set<{ close: () => Promise<void>; subscription: EventSubscription }>();
  const gauge = new Gauge({
    name: "gateway_flow_event_watches",
    help: "Flow event streams (SSE and WatchFlow) open now",
    registers: [deps.registry],
    collect() {
      this.set(open.size);
    },
  });
  void gauge;
  const resumes = new Counter({
    name: "gateway_flow_event_watch_resumes_total",
    help: "Flow event streams moved to a new JetStream consumer after theirs broke (e.g. a NATS restart)",
    registers: [deps.registry],
  });
  // After a disconnect the server may have restarted and lost every ephemeral consumer, and the
  // client library does not always notice (after a SIGKILL of nats-server its recreated consumer
  // went silent: no messages, no heartbeats, no error): every open watch moves to a new consumer
  // once the connection is back. Once more after the reconnect, in case a watch attached to a
  // server that then went away.
  let connected = true;
  let reconnected = Promise.withResolvers<void>();
  const connection = {
    connected: () => connected,
    whenConnected: () => (connected ? Promise.resolve() : reconnected.promise),
  };
  void (async () => {
    for await (const status of deps.bus.nc.status()) {
      if (status.type === "disconnect" && connected) {
        connected = false;
        reconnected = Promise.withResolvers<void>();
      } else if (status.type === "reconnect") {
        connected = true;
        reconnected.resolve();
      } else {
        continue;
      }
      deps.logger.warn({ status: status.type, watches: open.size }, "NATS connection changed; resuming event streams");
      for (const watch of open) watch.subscription.interrupt(status.type);
    }
  })().catch((error) => deps.logger.warn({ err: error }, "NATS status watch ended"));
  let shuttingDown = false;
  return {
    async watch(options) {
      if (shuttingDown) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
      const flow = await deps.operations.get(options.tenant, options.flowId, options.signal);
      const terminalAtStart = TERMINAL_STATUSES.has(flow.status);
      const subscription = await openEventSubscription({
        js: deps.bus.js,
        stream: deps.names.stream,
        filter: deps.names.flowFilter(options.tenant.clientAccountId, flow.id),
        inactiveThresholdMs: deps.inactiveThresholdMs ?? 60_000,
        resumeWindowMs: deps.resumeWindowMs ?? 30_000,
        connection,
        logger: deps.logger.child({ flow_id: flow.id }),
        onResume: () => resumes.inc(),
      });
      const history = subscription.history;
      let closed = false;
      const watch = {
        subscription,
        close: async () => {
          if (closed) return;
          closed = true;
          open.delete(watch);
          await subscription.close();
        },
      };
      open.add(watch);
      const onAbort = () => void watch.close();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // A client gone while the consumer was being created never fires the listener.
      if (options.signal?.aborted) void watch.close();
      const finish = async () => {
        options.signal?.removeEventListener("abort", onAbort);
        await watch.close();
      };
      // Where the watch ends: after a terminal event, or (a flow that ended before its oldest
      // events expired) once the history it found is read. Events expire oldest first, so a
      // history that still starts with `flow.created` has lost nothing: its terminal event is
      // still to come (the flow service's outbox lags behind the flow's status while NATS is
      // down) and the watch waits for it rather than ending early.
      let sawCreated = false;
      const isLast = (envelope: FlowEventEnvelope, msg: JsMsg) => {
        if (envelope.type === FIRST_EVENT_TYPE) sawCreated = true;
        if (options.follow) return false;
        return TERMINAL_EVENT_TYPES.has(envelope.type) || (terminalAtStart && !sawCreated && msg.info.pending === 0);
      };
      let endsNow = !options.follow && terminalAtStart && history === 0;
      try {
        if (options.afterEventId) {
          let found = false;
          for (let read = 0; read < history && !found; read++) {
            const msg = await subscription.next();
            if (!msg) break;
            const envelope = decode(msg, deps.logger);
            if (!envelope) continue;
            const last = isLast(envelope, msg);
            if (envelope.event_id !== options.afterEventId) continue;
            found = true;
            endsNow = last && msg.info.pending === 0;
          }
          if (!found) {
            throw new MeshError(
              "INVALID_ARGUMENT",
              "unknown event id to resume after: pass the id of an event of this flow",
              { field: "after_event_id", value: options.afterEventId.slice(0, 64) },
            );
          }
        }
      } catch (error) {
        await finish();
        throw error;
      }
      return (async function* () {
        try {
          if (endsNow) return;
          while (!closed) {
            const msg = await subscription.next();
            if (!msg) break;
            const envelope = decode(msg, deps.logger);
            if (!envelope) continue;
            yield envelope;
            if (isLast(envelope, msg)) return;
          }
        } finally {
          await finish();
        }
      })();
    },
    async closeAll() {
      shuttingDown = true;
      await Promise.all([...open].map((watch) => watch.close()));
    },
  };
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
