import { MeshError } from "@migrate/errors";
import type { EventBus, FlowEventEnvelope, FlowEventNames } from "@migrate/events";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import { Gauge, type Registry } from "@migrate/metrics";
import { type Consumer, type ConsumerMessages, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { FlowOperations } from "./flow-operations.ts";

/** Events after which a flow does nothing more unless a person acts (retry). */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set(["flow.completed", "flow.failed", "flow.cancelled"]);

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
   * when it ends, whether it ran out, was left early or `signal` aborted.
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
}): FlowEventFeed {
  const open = new Set<() => Promise<void>>();
  const gauge = new Gauge({
    name: "gateway_flow_event_watches",
    help: "Flow event streams (SSE and WatchFlow) open now",
    registers: [deps.registry],
    collect() {
      this.set(open.size);
    },
  });
  void gauge;
  let shuttingDown = false;

  return {
    async watch(options) {
      if (shuttingDown) throw new MeshError("UNAVAILABLE", "the gateway is shutting down; retry");
      const flow = await deps.operations.get(options.tenant, options.flowId, options.signal);
      const terminalAtStart = TERMINAL_STATUSES.has(flow.status);
      let consumer: Consumer;
      try {
        consumer = await deps.bus.js.consumers.get(deps.names.stream, {
          filter_subjects: deps.names.flowFilter(options.tenant.clientAccountId, flow.id),
          deliver_policy: DeliverPolicy.All,
          inactive_threshold: deps.inactiveThresholdMs ?? 60_000,
        });
      } catch (error) {
        throw new MeshError("UNAVAILABLE", "flow events are unavailable", { downstream: "nats" }, { cause: error });
      }
      let history: number;
      let messages: ConsumerMessages;
      try {
        history = (await consumer.info(true)).num_pending;
        messages = await consumer.consume({ max_messages: 256 });
      } catch (error) {
        await consumer.delete().catch(() => {});
        throw new MeshError("UNAVAILABLE", "flow events are unavailable", { downstream: "nats" }, { cause: error });
      }
      const iterator = messages[Symbol.asyncIterator]();
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        open.delete(close);
        // stop() unsubscribes at once; return() lets the iterator finish (close() would wait for a
        // next() that nobody calls any more).
        messages.stop();
        void iterator.return?.(undefined)?.catch(() => {});
        // An ordered consumer is ephemeral, but the server only drops it after the inactivity threshold.
        await consumer.delete().catch(() => {});
      };
      open.add(close);
      const onAbort = () => void close();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // A client gone while the consumer was being created never fires the listener.
      if (options.signal?.aborted) void close();
      const finish = async () => {
        options.signal?.removeEventListener("abort", onAbort);
        await close();
      };

      // Where the watch ends: after a terminal event, or (a flow that ended before its oldest
      // events expired) once the history it found is read.
      const isLast = (envelope: FlowEventEnvelope, msg: JsMsg) =>
        !options.follow && (TERMINAL_EVENT_TYPES.has(envelope.type) || (terminalAtStart && msg.info.pending === 0));
      let endsNow = !options.follow && terminalAtStart && history === 0;

      try {
        if (options.afterEventId) {
          let found = false;
          for (let read = 0; read < history && !found; read++) {
            const next = await iterator.next();
            if (next.done) break;
            const envelope = decode(next.value, deps.logger);
            if (envelope?.event_id !== options.afterEventId) continue;
            found = true;
            endsNow = isLast(envelope, next.value) && next.value.info.pending === 0;
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
            const next = await iterator.next();
            if (next.done) break;
            const envelope = decode(next.value, deps.logger);
            if (!envelope) continue;
            yield envelope;
            if (isLast(envelope, next.value)) return;
          }
          if (!options.signal?.aborted && !closed) {
            throw new MeshError("UNAVAILABLE", "the flow event stream was interrupted; resume after the last event");
          }
        } finally {
          await finish();
        }
      })();
    },
    async closeAll() {
      shuttingDown = true;
      await Promise.all([...open].map((close) => close()));
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
