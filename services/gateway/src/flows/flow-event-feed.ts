import { MeshError } from "@migrate/errors";
import type { EventBus, FlowEventEnvelope, FlowEventNames } from "@migrate/events";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import type { Flow } from "@migrate/gen/flow/v1/flow_pb";
import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { Counter, Gauge, type Registry } from "@migrate/metrics";
import { createFlowEventHub } from "./flow-event-hub.ts";
import type { FlowEventReader } from "./flow-event-log.ts";
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
   * Checks that the flow is the caller's (NOT_FOUND otherwise, as for an unknown id), joins its
   * log in the gateway's shared fan-out (history from the start of the stream, then live; see
   * `createFlowEventHub`), and skips to `afterEventId` (INVALID_ARGUMENT when the flow has no such
   * event). The iterable yields the events that follow, each once and in stream order, ends after
   * a terminal event unless `follow`, and lets go of its place in the log when it ends, whether it
   * ran out, was left early or `signal` aborted. The shared subscription survives NATS restarts;
   * when NATS stays away past the resume window the iterable throws UNAVAILABLE, so the client
   * reconnects with the last event id. Events are shared objects: never mutate them.
   */
  watch(options: WatchOptions): Promise<AsyncIterable<FlowEventEnvelope>>;
  /** Ends every open watch and refuses new ones (shutdown). */
  closeAll(): Promise<void>;
}

/** The one source of live flow events for SSE (`GET /v1/flows/{id}/events`) and Connect `WatchFlow`. */
export function createFlowEventFeed(deps: {
  bus: Pick<EventBus, "nc" | "js" | "jsm">;
  names: FlowEventNames;
  operations: Pick<FlowOperations, "get">;
  logger: Logger;
  registry: Registry;
  /** How long the server keeps a consumer whose gateway died without deleting it. */
  inactiveThresholdMs?: number;
  /** How long a watch waits for NATS to come back before it ends with UNAVAILABLE. */
  resumeWindowMs?: number;
  /** How long a flow's events stay in memory after its last watcher left (reconnects replay from there). */
  lingerMs?: number;
  /** How long one tenant's look-up of a flow answers its other watchers of that flow (default 1 s). */
  lookupMs?: number;
}): FlowEventFeed {
  const lookup = sharedLookup(deps.operations, deps.lookupMs ?? 1_000);
  const open = new Set<FlowEventReader>();
  const resumes = new Counter({
    name: "gateway_flow_event_watch_resumes_total",
    help: "Times the gateway's shared flow event subscription moved to a new JetStream consumer after its own broke (e.g. a NATS restart)",
    registers: [deps.registry],
  });
  const historyLoads = new Counter({
    name: "gateway_flow_event_history_loads_total",
    help: "Flow histories read from JetStream (once per flow for all the watchers that come while it is held)",
    registers: [deps.registry],
  });
  // After a disconnect the server may have restarted and lost every ephemeral consumer, and the
  // client library does not always notice (after a SIGKILL of nats-server its recreated consumer
  // went silent: no messages, no heartbeats, no error): the shared subscription moves to a new
  // consumer once the connection is back. Once more after the reconnect, in case it attached to
  // a server that then went away.
  let connected = true;
  let reconnected = Promise.withResolvers<void>();
  const connection = {
    connected: () => connected,
    whenConnected: () => (connected ? Promise.resolve() : reconnected.promise),
  };
  const hub = createFlowEventHub({
    bus: deps.bus,
    names: deps.names,
    connection,
    logger: deps.logger,
    inactiveThresholdMs: deps.inactiveThresholdMs ?? 60_000,
    resumeWindowMs: deps.resumeWindowMs ?? 30_000,
    lingerMs: deps.lingerMs ?? 30_000,
    onResume: () => resumes.inc(),
    onHistoryLoad: () => historyLoads.inc(),
  });
  new Gauge({
    name: "gateway_flow_event_watches",
    help: "Flow event streams (SSE and WatchFlow) open now",
    registers: [deps.registry],
    collect() {
      this.set(open.size);
    },
  });
  new Gauge({
    name: "gateway_flow_event_log_events",
    help: "Flow events held in memory for the flows being watched (each once, however many watch it)",
    registers: [deps.registry],
    collect() {
      this.set(hub.size().events);
    },
  });
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
      hub.interrupt(status.type);
    }
  })().catch((error) => deps.logger.warn({ err: error }, "NATS status watch ended"));
  let shuttingDown = false;
  return {
    async watch(options) {
      if (shuttingDown) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
      // Not cut short by the client's signal (others may wait on the same look-up); a client gone
      // meanwhile is noticed once the watch is set up, and it is closed at once.
      const flow = await lookup(options.tenant, options.flowId);
      const terminalAtStart = TERMINAL_STATUSES.has(flow.status);
      // The log is keyed by the caller's own client account: another tenant's flow id finds
      // nothing there (and the lookup above already answered it NOT_FOUND).
      const reader = await hub.join(options.tenant.clientAccountId, flow.id);
      const history = reader.pending();
      open.add(reader);
      const close = () => {
        open.delete(reader);
        reader.close();
      };
      const onAbort = () => close();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // A client gone while the log was being joined never fires the listener.
      if (options.signal?.aborted) close();
      const finish = () => {
        options.signal?.removeEventListener("abort", onAbort);
        close();
      };
      // Where the watch ends: after a terminal event, or (a flow that ended before its oldest
      // events expired) once the history it found is read. Events expire oldest first, so a
      // history that still starts with `flow.created` has lost nothing: its terminal event is
      // still to come (the flow service's outbox lags behind the flow's status while NATS is
      // down) and the watch waits for it rather than ending early.
      let sawCreated = false;
      const isLast = (envelope: FlowEventEnvelope) => {
        if (envelope.type === FIRST_EVENT_TYPE) sawCreated = true;
        if (options.follow) return false;
        return TERMINAL_EVENT_TYPES.has(envelope.type) || (terminalAtStart && !sawCreated && reader.pending() === 0);
      };
      let endsNow = !options.follow && terminalAtStart && history === 0;
      try {
        if (options.afterEventId) {
          let found = false;
          for (let read = 0; read < history && !found; read++) {
            const event = await reader.next();
            if (!event) break;
            const last = isLast(event.envelope);
            if (event.envelope.event_id !== options.afterEventId) continue;
            found = true;
            endsNow = last && reader.pending() === 0;
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
        finish();
        throw error;
      }
      return (async function* () {
        try {
          if (endsNow) return;
          for (;;) {
            const event = await reader.next();
            if (!event) break;
            yield event.envelope;
            if (isLast(event.envelope)) return;
          }
        } finally {
          finish();
        }
      })();
    },
    async closeAll() {
      shuttingDown = true;
      for (const reader of [...open]) reader.close();
      open.clear();
      await hub.close();
    },
  };
}

/**
 * The flow service's GetFlow, shared by the watchers of one flow that come together (a flow's
 * page opened by 40 people, or all of them reconnecting after a gateway restart): one call in
 * flight per tenant and flow, its answer kept `ttlMs`. The key is the whole tenant scope the
 * flow service filters by (client account and engagement), so a watcher only ever gets the
 * answer its own tenant got; errors (NOT_FOUND included) are never kept. A status up to `ttlMs`
 * old is harmless here: a watch of a flow that ended meanwhile ends at its terminal event.
 */
function sharedLookup(
  operations: Pick<FlowOperations, "get">,
  ttlMs: number,
): (tenant: TenantContext, flowId: string) => Promise<Flow> {
  const answers = new Map<string, { flow: Promise<Flow>; until: number }>();
  return async (tenant, flowId) => {
    if (ttlMs <= 0) return operations.get(tenant, flowId);
    const key = `${tenant.clientAccountId}\u0000${tenant.engagementId}\u0000${flowId}`;
    const now = Date.now();
    let entry = answers.get(key);
    if (!entry || entry.until < now) {
      const flow = operations.get(tenant, flowId);
      const held = { flow, until: now + ttlMs };
      entry = held;
      answers.set(key, held);
      flow.catch(() => {
        if (answers.get(key) === held) answers.delete(key);
      });
      setTimeout(() => {
        if (answers.get(key) === held) answers.delete(key);
      }, ttlMs).unref();
    }
    return entry.flow;
  };
}
