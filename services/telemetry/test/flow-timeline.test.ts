import { randomUUID } from "node:crypto";
import { createDb, sql, withTestSchema } from "@migrate/db";
import { isMeshError, type MeshError } from "@migrate/errors";
import { connectEvents, type EventBus, flowEventNames, publishEvent } from "@migrate/events";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { type ClientHandle, checkHealth, createClient, type TenantContext } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/free-port.ts";
import { waitFor } from "./support/wait-for.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const suffix = randomUUID().slice(0, 8);
const schema = withTestSchema("telemetry");
const names = flowEventNames({ stream: `TELTEST_${suffix}`, subjectPrefix: `teltest${suffix}.migrate.flow.v1` });
const durable = `telemetry_${suffix}`;
const tenantOf = (clientAccountId: string): TenantContext => ({
  clientAccountId,
  engagementId: "",
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
});
const acme = tenantOf(`acme_${suffix}`);
const globex = tenantOf(`globex_${suffix}`);
const database = createDb({ url: DATABASE_URL, schema, name: "telemetry-test" });
let bus: EventBus;
let service: ServiceProcess;
let metricsUrl: string;
let telemetry: ClientHandle<typeof TelemetryService.method>;

interface Envelope {
  event_id: string;
  type: string;
  flow_id: string;
  client_account_id: string;
  engagement_id: string;
  phase: string;
  progress: number;
  occurred_at: string;
  payload: Record<string, unknown>;
}

let clock = Date.parse("2026-11-26T10:00:00.000Z");
function envelope(tenant: TenantContext, flowId: string, type: string, extra: Partial<Envelope> = {}): Envelope {
  clock += 1_000;
  return {
    event_id: randomUUID(),
    type,
    flow_id: flowId,
    client_account_id: tenant.clientAccountId,
    engagement_id: "eng_1",
    phase: "data_import",
    progress: 0,
    occurred_at: new Date(clock).toISOString(),
    payload: {},
    ...extra,
  };
}

/** Publishes as flow does; `msgID` defaults to the event id (JetStream de-duplication). */
function publish(event: Envelope, msgID = event.event_id) {
  const subject = names.subject(event.client_account_id, event.flow_id, event.type);
  return publishEvent(bus.js, { subject, data: new TextEncoder().encode(JSON.stringify(event)), msgID });
}

function publishRaw(body: string) {
  const subject = names.subject(acme.clientAccountId, "garbage", "flow.progress");
  return publishEvent(bus.js, { subject, data: new TextEncoder().encode(body), msgID: randomUUID() });
}

/** Resolves once the durable consumer has nothing undelivered and nothing awaiting an ack. */
function caughtUp(timeoutMs = 20_000) {
  return waitFor(
    "the telemetry consumer to catch up",
    async () => {
      const info = await bus.jsm.consumers.info(names.stream, durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? info : undefined;
    },
    timeoutMs,
  );
}

async function inboxCount(flowId: string): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from flow_events_inbox where flow_id = ${flowId}`.execute(database.db);
  return rows[0]?.n ?? 0;
}

async function metricValue(outcome: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith("telemetry_flow_events_total{") && l.includes(`outcome="${outcome}"`));
  return Number(line?.split(" ").pop() ?? Number.NaN);
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the call was expected to fail");
    },
    (error: unknown) => {
      if (!isMeshError(error)) throw error;
      return error as MeshError;
    },
  );

beforeAll(async () => {
  bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "telemetry-test" });
  const grpcPort = await freePort();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  // No stream exists yet: telemetry must create it itself (it may start before flow).
  service = await startService("telemetry", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
      FLOW_EVENTS_STREAM: names.stream,
      FLOW_EVENTS_SUBJECT_PREFIX: `teltest${suffix}.migrate.flow.v1`,
      TELEMETRY_DURABLE: durable,
      TELEMETRY_ACK_WAIT_MS: "2000",
      GRPC_PORT: `${grpcPort}`,
      METRICS_PORT: `${metricsPort}`,
      LOG_LEVEL: "warn",
    },
  });
  telemetry = createClient(TelemetryService, `dns:///127.0.0.1:${grpcPort}`, {
    credentials: meshCredentials(service.env, "test"),
  });
});

afterAll(async () => {
  telemetry?.close();
  await service?.stop("SIGKILL");
  await bus?.jsm.streams.delete(names.stream).catch(() => {});
  await bus?.close();
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
  await database.close();
});

describe("telemetry flow timeline", () => {
  it("answers gRPC health SERVING and creates the flow events stream itself", async () => {
    expect(await checkHealth(`127.0.0.1:${service.env.GRPC_PORT}`, TelemetryService.typeName)).toBe("SERVING");
    const info = await bus.jsm.streams.info(names.stream);
    expect(info.config.subjects).toEqual([names.subjects]);
  });

  it("records an event redelivered under another msgID exactly once, in time order", async () => {
    const flowId = `flow-${randomUUID()}`;
    const created = envelope(acme, flowId, "flow.created", { payload: { file_name: "inventory.csv" } });
    const progress = envelope(acme, flowId, "flow.progress", { progress: 40 });
    const sameInstant = envelope(acme, flowId, "phase.completed", { occurred_at: progress.occurred_at, progress: 100 });
    const late = envelope(acme, flowId, "phase.started", { phase: "data_validation" });
    // Published later but it happened first: the timeline follows occurred_at, then stream order.
    const early = envelope(acme, flowId, "flow.queued", { occurred_at: "2026-11-26T09:00:00.000Z" });
    await publish(created);
    await publish(progress);
    await publish(sameInstant);
    const redelivery = await publish(progress, `${progress.event_id}-redelivered`);
    expect(redelivery.duplicate).toBe(false); // JetStream kept it: only the inbox can absorb it
    await publish(late);
    await publish(early);
    await caughtUp();

    const timeline = await telemetry.client.getFlowTimeline({ flowId }, { tenant: acme });
    expect(timeline.flowId).toBe(flowId);
    expect(timeline.entries.map((e) => e.eventId)).toEqual([
      early.event_id,
      created.event_id,
      progress.event_id,
      sameInstant.event_id,
      late.event_id,
    ]);
    const [, first, second] = timeline.entries;
    expect(JSON.parse(first?.payloadJson ?? "")).toEqual({ file_name: "inventory.csv" });
    expect(first?.occurredAt).toBe(created.occurred_at);
    expect(first?.phase).toBe("data_import");
    expect(second?.progress).toBe(40);
    // received_at is when telemetry recorded it, not when the flow says it happened.
    expect(Math.abs(Date.parse(second?.receivedAt ?? "") - Date.now())).toBeLessThan(60_000);
    expect(await metricValue("duplicate")).toBeGreaterThanOrEqual(1);
    const scrape = await (await fetch(metricsUrl)).text();
    expect(scrape).toMatch(/^telemetry_flow_events_consumer_pending\{[^}]*\} 0$/m);
  });

  it("answers NOT_FOUND to another tenant, exactly as for an unknown flow", async () => {
    const flowId = `flow-${randomUUID()}`;
    await publish(envelope(acme, flowId, "flow.created"));
    await caughtUp();
    expect((await telemetry.client.getFlowTimeline({ flowId }, { tenant: acme })).entries).toHaveLength(1);

    const foreign = await refusal(telemetry.client.getFlowTimeline({ flowId }, { tenant: globex }));
    const unknown = await refusal(
      telemetry.client.getFlowTimeline({ flowId: `flow-${randomUUID()}` }, { tenant: acme }),
    );
    expect(foreign.code).toBe("NOT_FOUND");
    expect({ code: unknown.code, message: unknown.message }).toEqual({ code: foreign.code, message: foreign.message });
  });

  it("refuses a call without tenant context as UNAUTHENTICATED", async () => {
    const error = await refusal(telemetry.client.getFlowTimeline({ flowId: "any" }, {}));
    expect(error.code).toBe("UNAUTHENTICATED");
  });

  it("skips malformed messages and keeps recording the ones after them", async () => {
    const poisonBefore = await metricValue("poison");
    const flowId = `flow-${randomUUID()}`;
    await publishRaw("{not json");
    await publishRaw(JSON.stringify({ ...envelope(acme, flowId, "flow.progress"), event_id: "not-a-uuid" }));
    await publishRaw(JSON.stringify({ ...envelope(acme, flowId, "flow.progress"), occurred_at: "yesterday" }));
    await publishRaw(
      JSON.stringify({ ...envelope(acme, flowId, "flow.progress"), payload: { note: "nul\u0000byte" } }),
    );
    const good = envelope(acme, flowId, "flow.progress", { progress: 10 });
    await publish(good);
    await caughtUp();

    const timeline = await telemetry.client.getFlowTimeline({ flowId }, { tenant: acme });
    expect(timeline.entries.map((e) => e.eventId)).toEqual([good.event_id]);
    expect(await metricValue("poison")).toBe(poisonBefore + 4);
    const logged = service.recentLines.filter((line) => line.includes("skipping malformed flow event"));
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expect(logged.join("\n")).not.toContain("nul");
  });

  it("loses and duplicates nothing when killed while events keep arriving", async () => {
    const flowId = `flow-${randomUUID()}`;
    const events = Array.from({ length: 300 }, (_, i) => envelope(acme, flowId, "flow.progress", { progress: i }));
    const publishing = (async () => {
      for (const event of events) {
        await publish(event);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await waitFor("some events to be recorded", async () => ((await inboxCount(flowId)) >= 30 ? true : undefined));
    expect(await service.stop("SIGKILL")).toBeNull();
    const recordedBeforeCrash = await inboxCount(flowId);
    expect(recordedBeforeCrash).toBeLessThan(events.length);
    // Events delivered to the dead process and never acked are redelivered; some of them
    // were already committed, and a publisher retry of an old event arrives too.
    await publish(events[0] as Envelope, `${events[0]?.event_id}-retry`);
    await service.restart();
    await publishing;
    await caughtUp();

    const timeline = await telemetry.client.getFlowTimeline({ flowId }, { tenant: acme });
    expect(timeline.entries.map((e) => e.eventId)).toEqual(events.map((e) => e.event_id));
    expect(await inboxCount(flowId)).toBe(events.length);
    // Counters restart with the process: this duplicate is one absorbed after the crash.
    expect(await metricValue("duplicate")).toBeGreaterThanOrEqual(1);
  });

  it("on SIGTERM finishes the event in hand and exits 0; nothing is lost on restart", async () => {
    const flowId = `flow-${randomUUID()}`;
    const events = Array.from({ length: 100 }, (_, i) => envelope(acme, flowId, "flow.progress", { progress: i }));
    await Promise.all(events.map((event) => publish(event)));
    expect(await service.stop("SIGTERM")).toBe(0);
    await service.restart();
    await caughtUp();
    const timeline = await telemetry.client.getFlowTimeline({ flowId }, { tenant: acme });
    expect(new Set(timeline.entries.map((e) => e.eventId))).toEqual(new Set(events.map((e) => e.event_id)));
    expect(timeline.entries).toHaveLength(events.length);
    expect(await service.stop("SIGTERM")).toBe(0);
  });
});
