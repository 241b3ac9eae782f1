/**
 * The gateway's shared fan-out of flow events against a real NATS JetStream (a stream and subject
 * space of its own): the hand-over from a flow's history to its live events, many watchers on
 * one flow, a slow watcher, tenant isolation, resuming, ending. The flow lookup (the flow
 * service's GetFlow, which the integration suites exercise through the mesh) is an in-memory
 * table of each tenant's flows here.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { isMeshError, MeshError } from "@migrate/errors";
import { connectEvents, type EventBus, ensureStream, type FlowEventEnvelope, flowEventNames } from "@migrate/events";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowSchema } from "@migrate/gen/flow/v1/flow_pb";
import type { TenantContext } from "@migrate/grpc";
import { createLogger } from "@migrate/logger";
import { createMetricsRegistry, type Registry } from "@migrate/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowEventFeed, type FlowEventFeed } from "./flow-event-feed.ts";

const suffix = randomUUID().slice(0, 8);
const names = flowEventNames({ stream: `FANOUT_${suffix}`, subjectPrefix: `fanout${suffix}.migrate.flow.v1` });
const logger = createLogger({ service: "gateway-test", level: "warn" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let bus: EventBus;
/** Each tenant's flows and their status: what the flow service would answer. */
const flows = new Map<string, FlowStatus>();
let registry: Registry;
let feed: FlowEventFeed;

const tenant = (clientAccountId: string): TenantContext => ({
  clientAccountId,
  engagementId: "e1",
  userId: "u1",
  requestId: randomUUID(),
  roles: ["analyst"],
});

function newFeed(lingerMs = 30_000) {
  registry = createMetricsRegistry("gateway-test");
  return createFlowEventFeed({
    bus,
    names,
    logger,
    registry,
    lingerMs,
    operations: {
      async get(t, flowId) {
        const status = flows.get(`${t.clientAccountId}/${flowId}`);
        if (status === undefined) throw new MeshError("NOT_FOUND", "flow not found");
        return create(FlowSchema, { id: flowId, status });
      },
    },
  });
}

async function metric(name: string): Promise<number> {
  const value = await registry.getSingleMetric(name)?.get();
  return value?.values[0]?.value ?? Number.NaN;
}

/** Publishes events `from`..`to - 1` of a flow (the last one `flow.completed` when `complete`). */
async function publish(account: string, flowId: string, from: number, to: number, complete = false): Promise<void> {
  for (let n = from; n < to; n++) {
    const type = n === 0 ? "flow.created" : complete && n === to - 1 ? "flow.completed" : "phase.progress";
    const envelope = {
      event_id: `${account}-${flowId}-${n}`,
      type,
      flow_id: flowId,
      client_account_id: account,
      progress: n,
      payload: {},
    };
    await bus.js.publish(names.subject(account, flowId, type), JSON.stringify(envelope), { msgID: envelope.event_id });
  }
}

/** Reads a watch to its end (or `limit` events). */
async function collect(events: AsyncIterable<FlowEventEnvelope>, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of events) {
    ids.push(event.event_id);
    if (ids.length >= limit) break;
  }
  return ids;
}

const expected = (account: string, flowId: string, count: number, from = 0) =>
  Array.from({ length: count - from }, (_, i) => `${account}-${flowId}-${from + i}`);

beforeAll(async () => {
  bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "fanout-test" });
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
});
afterAll(async () => {
  await bus.jsm.streams.delete(names.stream).catch(() => {});
  await bus.close();
});

describe("the shared flow event fan-out", () => {
  it("hands each watcher over from the history to the live events without a gap or a duplicate", async () => {
    feed = newFeed();
    const flowId = `handover-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.RUNNING);
    const total = 400;
    await publish("acme", flowId, 0, 40);
    // Watchers join at random moments while the rest is published, the first of them (which
    // loads the history for all) while events are being stored.
    const publishing = publish("acme", flowId, 40, total, true);
    const watchers: Array<Promise<string[]>> = [];
    for (let i = 0; i < 40; i++) {
      watchers.push(feed.watch({ tenant: tenant("acme"), flowId }).then((events) => collect(events)));
      await sleep(Math.random() * 8);
    }
    await publishing;
    for (const ids of await Promise.all(watchers)) expect(ids).toEqual(expected("acme", flowId, total));
    // One JetStream read of the history, however many came.
    expect(await metric("gateway_flow_event_history_loads_total")).toBe(1);
    expect(await metric("gateway_flow_event_watches")).toBe(0);
    await feed.closeAll();
  });

  it("serves 500 watchers of one flow from one copy of its events", async () => {
    feed = newFeed();
    const flowId = `many-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.RUNNING);
    await publish("acme", flowId, 0, 20);
    const watches = await Promise.all(
      Array.from({ length: 500 }, () => feed.watch({ tenant: tenant("acme"), flowId })),
    );
    expect(await metric("gateway_flow_event_watches")).toBe(500);
    const reading = watches.map((events) => collect(events));
    await publish("acme", flowId, 20, 100, true);
    for (const ids of await Promise.all(reading)) expect(ids).toEqual(expected("acme", flowId, 100));
    expect(await metric("gateway_flow_event_log_events")).toBe(100);
    expect(await metric("gateway_flow_event_history_loads_total")).toBe(1);
    await feed.closeAll();
  });

  it("lets a slow watcher lag behind without holding up the others, then gives it every event in order", async () => {
    feed = newFeed();
    const flowId = `slow-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.RUNNING);
    const slow = (await feed.watch({ tenant: tenant("acme"), flowId }))[Symbol.asyncIterator]();
    const fast = feed.watch({ tenant: tenant("acme"), flowId }).then((events) => collect(events));
    await publish("acme", flowId, 0, 300, true);
    // The fast one is done while the slow one has not taken a single event.
    expect(await fast).toEqual(expected("acme", flowId, 300));
    const ids: string[] = [];
    for (let next = await slow.next(); !next.done; next = await slow.next()) ids.push(next.value.event_id);
    expect(ids).toEqual(expected("acme", flowId, 300));
    await feed.closeAll();
  });

  it("never shows a watcher another tenant's flow, even one with the same id", async () => {
    feed = newFeed();
    const flowId = `twin-${randomUUID().slice(0, 6)}`;
    const only = `only-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.RUNNING);
    flows.set(`globex/${flowId}`, FlowStatus.RUNNING);
    flows.set(`acme/${only}`, FlowStatus.RUNNING);
    await publish("acme", only, 0, 5);
    const acme = feed.watch({ tenant: tenant("acme"), flowId }).then((events) => collect(events));
    const globex = feed.watch({ tenant: tenant("globex"), flowId }).then((events) => collect(events));
    await sleep(50);
    await Promise.all([publish("acme", flowId, 0, 30, true), publish("globex", flowId, 0, 20, true)]);
    expect(await acme).toEqual(expected("acme", flowId, 30));
    expect(await globex).toEqual(expected("globex", flowId, 20));
    // Another tenant's flow answers as an unknown one, before anything is read, even while its
    // owner's look-up of it is still held for the owner's other watchers.
    const owner = await feed.watch({ tenant: tenant("acme"), flowId: only });
    const refused = await feed.watch({ tenant: tenant("globex"), flowId: only }).catch((error) => error);
    expect(isMeshError(refused) && refused.code).toBe("NOT_FOUND");
    expect(await collect(owner, 5)).toEqual(expected("acme", only, 5));
    await feed.closeAll();
  });

  it("resumes after an event id, refuses an unknown one, and ends a finished flow after its history", async () => {
    feed = newFeed();
    const flowId = `resume-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.COMPLETED);
    await publish("acme", flowId, 0, 30, true);
    const after = `acme-${flowId}-11`;
    expect(await collect(await feed.watch({ tenant: tenant("acme"), flowId, afterEventId: after }))).toEqual(
      expected("acme", flowId, 30, 12),
    );
    expect(await collect(await feed.watch({ tenant: tenant("acme"), flowId }))).toEqual(expected("acme", flowId, 30));
    const last = `acme-${flowId}-29`;
    expect(await collect(await feed.watch({ tenant: tenant("acme"), flowId, afterEventId: last }))).toEqual([]);
    const unknown = await feed
      .watch({ tenant: tenant("acme"), flowId, afterEventId: "no-such-event" })
      .catch((error) => error);
    expect(isMeshError(unknown) && unknown.code).toBe("INVALID_ARGUMENT");
    // A flow that ended with no events left in the stream ends at once.
    const empty = `empty-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${empty}`, FlowStatus.FAILED);
    expect(await collect(await feed.watch({ tenant: tenant("acme"), flowId: empty }))).toEqual([]);
    await feed.closeAll();
  });

  it("frees a watcher when its client leaves, lets go of an unwatched flow, and ends every watch at shutdown", async () => {
    feed = newFeed(200);
    const flowId = `leave-${randomUUID().slice(0, 6)}`;
    flows.set(`acme/${flowId}`, FlowStatus.RUNNING);
    await publish("acme", flowId, 0, 10);
    const client = new AbortController();
    const left = feed
      .watch({ tenant: tenant("acme"), flowId, signal: client.signal })
      .then((events) => collect(events));
    await sleep(100);
    client.abort();
    expect(await left).toEqual(expected("acme", flowId, 10));
    expect(await metric("gateway_flow_event_watches")).toBe(0);
    await sleep(400);
    expect(await metric("gateway_flow_event_log_events")).toBe(0);

    const open = feed.watch({ tenant: tenant("acme"), flowId, follow: true }).then((events) => collect(events));
    await sleep(100);
    await feed.closeAll();
    expect(await open).toEqual(expected("acme", flowId, 10));
    const refused = await feed.watch({ tenant: tenant("acme"), flowId }).catch((error) => error);
    expect(isMeshError(refused) && refused.code).toBe("UNAVAILABLE");
  });
});
