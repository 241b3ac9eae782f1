import { sql } from "@migrate/db";
import type { MeshError } from "@migrate/errors";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { type ClientHandle, createClient } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { type FlowProcess, startFlowService } from "./support/flow-process.ts";
import { createTestEnv, type TestEnv } from "./support/test-env.ts";
import { tenant } from "./support/upload.ts";

const MAX_UPLOAD_BYTES = 256 * 1024;
const acme = tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
const inventory = "name,ip\nweb01,10.0.0.1\ndb01,10.0.0.2\n";
let env: TestEnv;
let service: FlowProcess;
let handle: ClientHandle<(typeof FlowService)["method"]>;

async function refused(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: MeshError) => e,
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

async function stored() {
  const { rows } = await sql<{ flows: number; connections: number }>`
    select (select count(*) from flows)::int as flows, (select count(*) from connections_raw)::int as connections`.execute(
    env.database.db,
  );
  return rows[0];
}

beforeAll(async () => {
  env = await createTestEnv();
  // Uploads only: the engine stays off so nothing but CreateFlow touches the tables.
  service = await startFlowService({
    ...env.serviceEnv,
    FLOW_CONCURRENCY: "0",
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  });
  handle = createClient(FlowService, service.target, { credentials: service.credentials });
});

afterAll(async () => {
  handle?.close();
  await service?.stop();
  await env?.cleanup();
});

describe("CreateFlow with a connections file", () => {
  it("stores the connections, whatever the header spelling and wherever the parts come in the stream", async () => {
    const rows = Array.from(
      { length: 3_000 },
      (_, i) => `web01;10.0.0.${(i % 250) + 2};${i % 2 ? 443 : ""};${i % 3 ? "tcp" : ""}`,
    );
    const connections = `\uFEFFSource Host;Dst;Destination Port;Proto\n${rows.join("\n")}\n`;
    const { flow } = await handle.client.createFlow(discoveryUpload(inventory, connections), { tenant: acme });
    expect(flow?.connectionCount).toBe(3_000n);
    expect(flow?.rawRecordCount).toBe(2n);
    expect(flow?.phases.map((p) => p.status)).toEqual(Array(8).fill("pending"));
    const saved = await env.database.db
      .selectFrom("connections_raw")
      .select(["row_number", "source", "destination", "port", "protocol"])
      .where("flow_id", "=", flow?.id ?? "")
      .orderBy("row_number")
      .limit(2)
      .execute();
    expect(saved).toEqual([
      { row_number: 1, source: "web01", destination: "10.0.0.2", port: null, protocol: "" },
      { row_number: 2, source: "web01", destination: "10.0.0.3", port: 443, protocol: "tcp" },
    ]);
    const created = await env.database.db
      .selectFrom("outbox")
      .select("payload")
      .where("subject", "=", env.names.subject(acme.clientAccountId, flow?.id ?? "", "flow.created"))
      .executeTakeFirstOrThrow();
    expect(created.payload.payload).toMatchObject({ connection_count: 3_000 });
  });

  it.each([
    [
      "no destination column",
      "from,port\nweb01,443\n",
      /needs a source and a destination column; found: from, port/,
      {},
    ],
    [
      "an empty source",
      "src,dst\nweb01,db01\n,db01\n",
      /connections row 2: column "src" is empty/,
      { row: 2, column: "src" },
    ],
    [
      "a port that is not a number",
      "source,destination,port\nweb01,db01,443\nweb01,db01,https\n",
      /connections row 2: column "port" holds "https", not a port number/,
      { row: 2, column: "port", value: "https" },
    ],
    ["an empty file", "", /connections file is empty/, {}],
  ])("refuses %s with INVALID_ARGUMENT and stores nothing", async (_, connections, message, details) => {
    const before = await stored();
    const error = await refused(
      handle.client.createFlow(
        [...discoveryUpload(inventory), { part: { case: "connectionsChunk", value: Buffer.from(connections) } }],
        { tenant: acme },
      ),
    );
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject(details);
    expect(await stored()).toEqual(before);
  });

  it("refuses a connections file over MAX_UPLOAD_BYTES with PAYLOAD_TOO_LARGE", async () => {
    const before = await stored();
    const big = `source,destination\n${"web01,db01\n".repeat(30_000)}`;
    const error = await refused(handle.client.createFlow(discoveryUpload(inventory, big), { tenant: acme }));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toMatch(/connections file exceeds the limit of 262144 bytes/);
    expect(await stored()).toEqual(before);
  });
});
