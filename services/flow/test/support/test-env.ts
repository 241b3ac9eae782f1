import { createDb, type Database, withTestSchema } from "@migrate/db";
import { connectEvents, type EventBus, ensureStream, type FlowEventNames, flowEventNames } from "@migrate/events";
import type { FlowDatabase } from "../../src/db/flow-database.ts";

/** One test file's private schema, JetStream stream and subject prefix, plus direct access to both. */
export interface TestEnv {
  schema: string;
  names: FlowEventNames;
  database: Database<FlowDatabase>;
  bus: EventBus;
  /** The variables that point a flow service process at this env. */
  serviceEnv: Record<string, string>;
  /** How many messages the stream holds on `subject`. */
  countOn(subject: string): Promise<number>;
  /** Waits until `subject` holds at least `count` messages. */
  waitFor(subject: string, count?: number, timeoutMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createTestEnv(): Promise<TestEnv> {
  const schema = withTestSchema("flow");
  const suffix = schema.slice("flow_".length).toUpperCase();
  const names = flowEventNames({
    stream: `FLOW_EVENTS_${suffix}`,
    subjectPrefix: `test.${suffix.toLowerCase()}.flow.v1`,
  });
  const database = createDb<FlowDatabase>({ url: "postgres://postgres@127.0.0.1:5432/postgres", schema, name: "test" });
  const bus = await connectEvents({ servers: "nats://127.0.0.1:4222", name: "flow-test" });
  await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
  const countOn = async (subject: string) => {
    const info = await bus.jsm.streams.info(names.stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };
  return {
    schema,
    names,
    database,
    bus,
    serviceEnv: {
      DATABASE_SCHEMA: schema,
      FLOW_EVENTS_STREAM: names.stream,
      FLOW_EVENTS_SUBJECT_PREFIX: names.subjects.slice(0, -2),
    },
    countOn,
    waitFor: async (subject, count = 1, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while ((await countOn(subject)) < count) {
        if (Date.now() > deadline) throw new Error(`no ${count} message(s) on ${subject} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    cleanup: async () => {
      await bus.jsm.streams.delete(names.stream).catch(() => {});
      await bus.close();
      await database.pool.query(`drop schema if exists ${schema} cascade`);
      await database.close();
    },
  };
}
