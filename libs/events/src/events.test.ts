import { randomUUID } from "node:crypto";
import { context, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsumedMessage,
  connectEvents,
  consumeDurable,
  type EventBus,
  ensureDurableConsumer,
  ensureStream,
  flowEventNames,
  publishEvent,
} from "./index.ts";

const suffix = randomUUID().slice(0, 8);
const names = flowEventNames({ stream: `EVTEST_${suffix}`, subjectPrefix: `evtest${suffix}.migrate.flow.v1` });
let bus: EventBus;

beforeAll(async () => {
  // A running service gets this from the SDK; without it no context is ever active.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "events-test" });
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] }); // idempotent
});
afterAll(async () => {
  await bus.jsm.streams.delete(names.stream);
  await bus.close();
});

describe("events", () => {
  it("de-duplicates a re-publish by msgID and carries traceparent to a durable consumer", async () => {
    const subject = names.subject("acme", "flow-1", "flow.created");
    expect(subject).toBe(`evtest${suffix}.migrate.flow.v1.acme.flow-1.flow.created`);
    const parent = trace.setSpanContext(context.active(), {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
    });
    const msgID = randomUUID();
    const data = new TextEncoder().encode(JSON.stringify({ event_id: msgID }));
    const first = await publishEvent(bus.js, { subject, data, msgID, parent });
    const second = await publishEvent(bus.js, { subject, data, msgID, parent });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);

    await ensureDurableConsumer(bus.jsm, { stream: names.stream, durable: "test" });
    const received: ConsumedMessage[] = [];
    let traceId: string | undefined;
    const handle = await consumeDurable(bus.js, {
      stream: names.stream,
      durable: "test",
      handler: async (message) => {
        received.push(message);
        traceId = trace.getSpanContext(context.active())?.traceId;
      },
    });
    const deadline = Date.now() + 5_000;
    while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    await handle.stop();
    expect(received).toHaveLength(1);
    expect(received[0]?.msgID).toBe(msgID);
    // The consumer continues the publisher's trace even with no SDK running: the ids travel in headers.
    expect(traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("redelivers a message whose handler failed, so nothing is lost", async () => {
    const subject = names.subject("acme", "flow-2", "flow.created");
    await publishEvent(bus.js, { subject, data: new Uint8Array([1]), msgID: randomUUID() });
    await ensureDurableConsumer(bus.jsm, { stream: names.stream, durable: "retry", filterSubject: subject });
    const deliveries: number[] = [];
    const handle = await consumeDurable(bus.js, {
      stream: names.stream,
      durable: "retry",
      retryDelayMs: 50,
      handler: async (message) => {
        deliveries.push(message.deliveryCount);
        if (message.deliveryCount === 1) throw new Error("transient");
      },
    });
    const deadline = Date.now() + 5_000;
    while (deliveries.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await handle.stop();
    expect(deliveries.slice(0, 2)).toEqual([1, 2]);
  });

  it("re-ensures an existing durable with new settings without losing its position", async () => {
    await ensureDurableConsumer(bus.jsm, { stream: names.stream, durable: "settings", ackWaitMs: 30_000 });
    await ensureDurableConsumer(bus.jsm, { stream: names.stream, durable: "settings", ackWaitMs: 2_000 });
    const info = await bus.jsm.consumers.info(names.stream, "settings");
    expect(info.config.ack_wait).toBe(2_000 * 1_000_000);
  });
});
