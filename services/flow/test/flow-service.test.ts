import { createServer, type Server } from "node:http";
import { sql } from "@migrate/db";
import type { MeshError } from "@migrate/errors";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { type ClientHandle, createClient } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlowProcess, startFlowService } from "./support/flow-process.ts";
import { createTestEnv, type TestEnv } from "./support/test-env.ts";
import { tenant, uploadParts } from "./support/upload.ts";

const MAX_UPLOAD_BYTES = 512 * 1024;
const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
const globex = tenant(`globex-${run}`);

let env: TestEnv;
let service: FlowProcess;
let flows: ClientHandle<(typeof FlowService)["method"]>["client"];
let close: () => void;
let otlp: Server;

function inventoryCsv(rows: number): string {
  const lines = ["Server name;Cores;Memory (MB);Notes"];
  for (let i = 1; i <= rows; i++) lines.push(`srv-${i};${(i % 16) + 1};${i * 1024};"rack ${i}\nrow ${i % 7}"`);
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

async function refused(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: MeshError) => e,
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

async function storedCounts() {
  const { rows } = await sql<{ flows: number; raw_records: number; outbox: number }>`
    select (select count(*) from flows)::int as flows, (select count(*) from raw_records)::int as raw_records,
           (select count(*) from outbox)::int as outbox`.execute(env.database.db);
  return rows[0];
}

beforeAll(async () => {
  env = await createTestEnv();
  // A loopback OTLP receiver, so the service runs with tracing on as in production.
  otlp = createServer((req, res) => req.resume().on("end", () => res.end()));
  await new Promise<void>((resolve) => otlp.listen(0, "127.0.0.1", resolve));
  const { port } = otlp.address() as { port: number };
  service = await startFlowService({
    ...env.serviceEnv,
    // The API's own behaviour, with no engine moving flows on (see discovery-*.test.ts for that).
    FLOW_CONCURRENCY: "0",
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_SERVICE_NAME: "flow",
  });
  const handle = createClient(FlowService, service.target, { credentials: service.credentials });
  flows = handle.client;
  close = handle.close;
});

afterAll(async () => {
  close?.();
  const stopped = await service?.stop();
  await env?.cleanup();
  otlp?.close();
  expect(stopped?.code).toBe(0);
});

describe("CreateFlow and GetFlow", () => {
  it("stores a CSV inventory (BOM, semicolons, multi-line cells) and reports it", async () => {
    const { flow } = await flows.createFlow(uploadParts(inventoryCsv(2_500), { name: "  DC1 export " }, 16 * 1024), {
      tenant: acme,
    });
    expect(flow).toMatchObject({
      name: "DC1 export",
      status: FlowStatus.PENDING,
      phase: FlowPhase.DATA_IMPORT,
      progress: 0,
      rawRecordCount: 2_500n,
      sourceFormat: "csv",
      sourceFilename: "inventory.csv",
      columns: ["Server name", "Cores", "Memory (MB)", "Notes"],
      clientAccountId: acme.clientAccountId,
      createdBy: "tester",
    });
    const got = await flows.getFlow({ flowId: flow?.id ?? "" }, { tenant: acme });
    expect(got.flow).toEqual(flow);

    const stored = await env.database.db
      .selectFrom("raw_records")
      .select(["row_number", "data"])
      .where("flow_id", "=", flow?.id ?? "")
      .orderBy("row_number")
      .execute();
    expect(stored).toHaveLength(2_500);
    expect(stored[1_999]).toEqual({
      row_number: 2_000,
      data: { "Server name": "srv-2000", Cores: "1", "Memory (MB)": "2048000", Notes: "rack 2000\nrow 5" },
    });
  });

  it("stores a JSON array of objects", async () => {
    const json = JSON.stringify([
      { hostname: "web01", cpu: 4 },
      { hostname: "db01", cpu: 8, memory_gb: 64 },
    ]);
    const { flow } = await flows.createFlow(
      uploadParts(json, { name: "", filename: "C:\\fakepath\\cmdb.json", contentType: "application/json" }),
      { tenant: acme },
    );
    expect(flow).toMatchObject({
      name: "cmdb",
      sourceFilename: "cmdb.json",
      sourceFormat: "json",
      rawRecordCount: 2n,
      columns: ["hostname", "cpu", "memory_gb"],
    });
  });

  it("answers NOT_FOUND, identically, for another tenant's flow, an unknown id and a malformed id", async () => {
    const { flow } = await flows.createFlow(uploadParts("name\nweb01\n"), { tenant: acme });
    const id = flow?.id ?? "";
    const foreign = await refused(flows.getFlow({ flowId: id }, { tenant: globex }));
    const unknown = await refused(flows.getFlow({ flowId: "00000000-0000-4000-8000-000000000000" }, { tenant: acme }));
    const malformed = await refused(flows.getFlow({ flowId: "'; drop table flows; --" }, { tenant: acme }));
    for (const error of [foreign, unknown, malformed]) {
      expect(error.code).toBe("NOT_FOUND");
      expect(error.message).toBe("flow not found");
    }
    expect((await flows.listFlows({}, { tenant: globex })).flows).toEqual([]);
  });

  it("scopes by engagement when the caller has one", async () => {
    const client = `eng-${run}`;
    const { flow } = await flows.createFlow(uploadParts("name\nweb01\n"), { tenant: tenant(client, "e1") });
    expect(flow?.engagementId).toBe("e1");
    expect((await flows.getFlow({ flowId: flow?.id ?? "" }, { tenant: tenant(client, "e1") })).flow?.id).toBe(flow?.id);
    expect((await refused(flows.getFlow({ flowId: flow?.id ?? "" }, { tenant: tenant(client, "e2") }))).code).toBe(
      "NOT_FOUND",
    );
    expect((await flows.listFlows({}, { tenant: tenant(client, "e2") })).flows).toEqual([]);
  });
});

describe("ListFlows", () => {
  it("pages newest first with an opaque cursor and filters by status", async () => {
    const lister = tenant(`lister-${run}`);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { flow } = await flows.createFlow(uploadParts(`name\nhost${i}\n`, { name: `flow ${i}` }), {
        tenant: lister,
      });
      created.push(flow?.id ?? "");
    }
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor = "";
    do {
      const page = await flows.listFlows({ limit: 2, cursor }, { tenant: lister });
      pageSizes.push(page.flows.length);
      seen.push(...page.flows.map((f) => f.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...created].reverse());

    await env.database.db
      .updateTable("flows")
      .set({ status: "running" })
      .where("id", "=", created[2] ?? "")
      .execute();
    // Each flow's phases come in the order they run, whatever order the store holds them in
    // (here their rows are written again, in reverse alphabetical order).
    await sql`with gone as (delete from flow_phases where flow_id = ${created[2]} returning *)
      insert into flow_phases select * from gone order by phase desc`.execute(env.database.db);
    const running = await flows.listFlows({ status: FlowStatus.RUNNING }, { tenant: lister });
    expect(running.flows.map((f) => f.id)).toEqual([created[2]]);
    expect(running.flows[0]?.phases.map((p) => p.phase)).toEqual([
      FlowPhase.DATA_IMPORT,
      FlowPhase.DATA_VALIDATION,
      FlowPhase.FIELD_MAPPING,
      FlowPhase.DATA_CLEANSING,
      FlowPhase.ASSET_INVENTORY,
      FlowPhase.DEPENDENCY_ANALYSIS,
      FlowPhase.APPLICATION_DISCOVERY,
      FlowPhase.STRATEGY_RECOMMENDATION,
    ]);
    const pending = await flows.listFlows({ status: FlowStatus.PENDING }, { tenant: lister });
    expect(pending.flows).toHaveLength(4);
    expect((await flows.listFlows({ status: FlowStatus.RUNNING }, { tenant: globex })).flows).toEqual([]);
  });

  it("defaults to 50 per page, caps at 200 and refuses a forged cursor", async () => {
    const bulk = tenant(`bulk-${run}`);
    await sql`insert into flows (client_account_id, name, source_format, created_at)
              select ${bulk.clientAccountId}, 'bulk ' || i, 'csv', now() - make_interval(secs => i)
              from generate_series(1, 230) as i`.execute(env.database.db);
    expect((await flows.listFlows({}, { tenant: bulk })).flows).toHaveLength(50);
    const capped = await flows.listFlows({ limit: 1_000 }, { tenant: bulk });
    expect(capped.flows).toHaveLength(200);
    expect((await flows.listFlows({ cursor: capped.nextCursor, limit: 1_000 }, { tenant: bulk })).flows).toHaveLength(
      30,
    );
    const forged = await refused(flows.listFlows({ cursor: "not-a-cursor" }, { tenant: bulk }));
    expect(forged.code).toBe("INVALID_ARGUMENT");
  });
});

describe("bad uploads store nothing", () => {
  const goodRows = Array.from({ length: 1_500 }, (_, i) => `host${i},4`).join("\n");
  it.each([
    [
      "a row with too many cells after 1,500 good ones",
      `name,cpu\n${goodRows}\nbad,4,extra\n`,
      "text/csv",
      /row 1501 \(line 1502\) has 3 cells but the header has 2 columns/,
    ],
    ["duplicate headers", "name,cpu,name\na,1,b\n", "text/csv", /duplicate header "name" in columns 1 and 3/],
    ["an empty header name", "name,,cpu\na,1,b\n", "text/csv", /header of column 2 is empty/],
    [
      "invalid UTF-8",
      Buffer.concat([Buffer.from(`name,cpu\n${goodRows}\nd`), Buffer.from([0xff, 0x41]), Buffer.from(",1\n")]),
      "text/csv",
      /not valid UTF-8: invalid byte sequence at byte offset \d+ \(line 1502\)/,
    ],
    ["an empty file", "", "text/csv", /the file is empty/],
    [
      "a JSON element that is not an object",
      '[{"a":1},[2]]',
      "application/json",
      /element 1 of the JSON array is an array/,
    ],
    ["JSON that is not an array", '{"servers":[]}', "application/json", /must be an array of objects/],
  ])("refuses %s with INVALID_ARGUMENT", async (_, content, contentType, message) => {
    const before = await storedCounts();
    const error = await refused(flows.createFlow(uploadParts(content, { contentType }), { tenant: acme }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toMatch(message);
    expect(await storedCounts()).toEqual(before);
  });

  it("refuses an upload over MAX_UPLOAD_BYTES with PAYLOAD_TOO_LARGE", async () => {
    const before = await storedCounts();
    const big = `name,notes\n${`host,${"x".repeat(100)}\n`.repeat(6_000)}`;
    const error = await refused(flows.createFlow(uploadParts(big), { tenant: acme }));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await storedCounts()).toEqual(before);
  });

  it("refuses a spreadsheet with UNSUPPORTED_MEDIA_TYPE and a stream without a header", async () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    const error = await refused(flows.createFlow(uploadParts(xlsx, { contentType: "" }), { tenant: acme }));
    expect(error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const headless = await refused(
      flows.createFlow([{ part: { case: "chunk", value: Buffer.from("a\n1\n") } }], { tenant: acme }),
    );
    expect(headless.message).toContain("first CreateFlow message must carry the header");
  });
});

describe("flow.created events", () => {
  it("publishes exactly once, with Nats-Msg-Id = event_id and the upload's trace context", async () => {
    const started = Date.now();
    const { flow } = await flows.createFlow(uploadParts("name,cpu\nweb01,4\ndb01,8\n", { name: "evented" }), {
      tenant: acme,
    });
    const subject = env.names.subject(acme.clientAccountId, flow?.id ?? "", "flow.created");
    await env.waitFor(subject);
    // Woken by the commit, not by the next poll.
    expect(Date.now() - started).toBeLessThan(2_000);

    const message = await env.bus.jsm.streams.getMessage(env.names.stream, { last_by_subj: subject });
    const event = message?.json<Record<string, unknown>>();
    expect(event).toMatchObject({
      type: "flow.created",
      flow_id: flow?.id,
      client_account_id: acme.clientAccountId,
      engagement_id: "",
      phase: "data_import",
      progress: 0,
      payload: { name: "evented", raw_record_count: 2, source_format: "csv", columns: ["name", "cpu"] },
    });
    expect(message?.header.get("Nats-Msg-Id")).toBe(event?.event_id);

    // The relay marks the row once the publish is acknowledged: just after the message is seen.
    const outboxRow = () =>
      env.database.db
        .selectFrom("outbox")
        .selectAll()
        .where("event_id", "=", String(event?.event_id))
        .executeTakeFirstOrThrow();
    let row = await outboxRow();
    for (const deadline = Date.now() + 2_000; row.published_at === null && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      row = await outboxRow();
    }
    expect(row.published_at).not.toBeNull();
    const traceparent = message?.header.get("traceparent") ?? "";
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    // Same trace as the CreateFlow call that committed it.
    expect(traceparent.split("-")[1]).toBe(row.trace_carrier.traceparent?.split("-")[1]);

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await env.countOn(subject)).toBe(1);
  });
});
