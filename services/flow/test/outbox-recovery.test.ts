import { randomUUID } from "node:crypto";
import { migrateToLatest, sql } from "@migrate/db";
import type { MeshError } from "@migrate/errors";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { createClient } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowMigrations } from "../src/db/migrations/index.ts";
import { type FlowProcess, startFlowService } from "./support/flow-process.ts";
import { createTestEnv, type TestEnv } from "./support/test-env.ts";
import { tenant, uploadParts } from "./support/upload.ts";

const SHUTDOWN_TIMEOUT_MS = 5_000;
const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
let env: TestEnv;
const running: FlowProcess[] = [];

async function start(): Promise<FlowProcess> {
  // The engine stays off: only the relay's own events are under test.
  const service = await startFlowService({
    ...env.serviceEnv,
    FLOW_CONCURRENCY: "0",
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
  running.push(service);
  return service;
}

/** An outbox row as a replica that crashed before its relay ran would have left it. */
async function queueEvent(traceId: string): Promise<{ eventId: string; subject: string }> {
  const eventId = randomUUID();
  const flowId = randomUUID();
  const subject = env.names.subject(acme.clientAccountId, flowId, "flow.created");
  await env.database.db
    .insertInto("outbox")
    .values({
      event_id: eventId,
      subject,
      payload: JSON.stringify({ event_id: eventId, type: "flow.created", flow_id: flowId }),
      trace_carrier: JSON.stringify({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }),
    })
    .execute();
  return { eventId, subject };
}

async function publishedAt(eventId: string): Promise<Date | null> {
  const row = await env.database.db
    .selectFrom("outbox")
    .select("published_at")
    .where("event_id", "=", eventId)
    .executeTakeFirstOrThrow();
  return row.published_at;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A CreateFlow stream that sends `first` and then waits for `release()` before sending `rest`. */
function heldUpload(first: string, rest: string) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const firstParts = uploadParts(first);
  const restChunks = uploadParts(rest).slice(1);
  async function* parts() {
    yield* firstParts;
    await released;
    yield* restChunks;
  }
  return { parts: parts(), release };
}

async function storedCounts() {
  const { rows } = await sql<{ flows: number; raw_records: number; outbox: number }>`
    select (select count(*) from flows)::int as flows, (select count(*) from raw_records)::int as raw_records,
           (select count(*) from outbox)::int as outbox`.execute(env.database.db);
  return rows[0];
}

beforeAll(async () => {
  env = await createTestEnv();
  await migrateToLatest(env.database.db as never, env.schema, flowMigrations);
});

afterAll(async () => {
  for (const service of running) await service.stop("SIGKILL");
  await env?.cleanup();
});

describe("outbox relay across crashes and restarts", () => {
  it("publishes events left by a crashed replica once, and never twice after a crash between publish and mark", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const first = await queueEvent(traceId);

    const a = await start();
    await env.waitFor(first.subject);
    const message = await env.bus.jsm.streams.getMessage(env.names.stream, { last_by_subj: first.subject });
    expect(message?.header.get("Nats-Msg-Id")).toBe(first.eventId);
    expect(message?.header.get("traceparent")).toContain(traceId);
    await until(async () => (await publishedAt(first.eventId)) !== null);
    expect((await a.stop("SIGKILL")).code).toBeNull();

    // As if the replica had died after JetStream acked but before the mark committed,
    // and another event was committed while no replica was running.
    await env.database.db
      .updateTable("outbox")
      .set({ published_at: null as never })
      .execute();
    await sql`update outbox set published_at = null where event_id = ${first.eventId}`.execute(env.database.db);
    const second = await queueEvent("0af7651916cd43dd8448eb211c80319c");

    const b = await start();
    await env.waitFor(second.subject);
    await until(async () => (await publishedAt(first.eventId)) !== null);
    expect(await env.countOn(first.subject)).toBe(1);
    expect(await env.countOn(second.subject)).toBe(1);
    expect((await b.stop()).code).toBe(0);

    const c = await start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await env.countOn(first.subject)).toBe(1);
    expect(await env.countOn(second.subject)).toBe(1);
    expect((await c.stop()).code).toBe(0);
  });
});

describe("process signals", () => {
  it("SIGKILL in the middle of an upload leaves nothing stored", async () => {
    const service = await start();
    const before = await storedCounts();
    const rows = Array.from({ length: 3_000 }, (_, i) => `host${i},4`).join("\n");
    const upload = heldUpload(`name,cpu\n${rows}\n`, "last,1\n");
    const handle = createClient(FlowService, service.target, { credentials: service.credentials });
    const call = handle.client.createFlow(upload.parts, { tenant: acme }).then(
      () => undefined,
      (error: MeshError) => error,
    );
    // Let the service insert the first batches inside its transaction.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await service.stop("SIGKILL");
    upload.release();
    expect((await call)?.code).toBe("UNAVAILABLE");
    handle.close();
    expect(await storedCounts()).toEqual(before);
  });

  it("SIGTERM lets an in-flight upload finish and publish, then exits 0 within the bound", async () => {
    const service = await start();
    const upload = heldUpload("name,cpu\nweb01,4\n", "db01,8\n");
    const handle = createClient(FlowService, service.target, { credentials: service.credentials });
    const call = handle.client.createFlow(upload.parts, { tenant: acme });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = service.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    upload.release();
    const { flow } = await call;
    expect(flow?.rawRecordCount).toBe(2n);
    const { code, ms } = await stopped;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    handle.close();
    await env.waitFor(env.names.subject(acme.clientAccountId, flow?.id ?? "", "flow.created"), 1, 2_000);
  });
});
