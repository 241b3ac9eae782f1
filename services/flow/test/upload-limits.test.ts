import { sql } from "@migrate/db";
import type { MeshError } from "@migrate/errors";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { type ClientHandle, checkHealth, createClient } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { type FlowProcess, startFlowService } from "./support/flow-process.ts";
import { createTestEnv, type TestEnv } from "./support/test-env.ts";
import { tenant, uploadParts } from "./support/upload.ts";

/**
 * The upload limits as an operator sets them (MAX_COLUMNS, MAX_CELL_BYTES, MAX_ROW_BYTES), over
 * CreateFlow: a file crossing one is refused as the bytes arrive, naming the limit, row and
 * column, and leaves nothing behind, even when thousands of its rows were already inserted.
 */

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
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

/** What the tenant has in every table an upload writes. */
async function stored() {
  const { rows } = await sql<{ flows: number; records: number; connections: number; outbox: number; phases: number }>`
    select (select count(*) from flows where client_account_id = ${acme.clientAccountId})::int as flows,
      (select count(*) from raw_records)::int as records,
      (select count(*) from connections_raw)::int as connections,
      (select count(*) from outbox)::int as outbox,
      (select count(*) from flow_phases)::int as phases`.execute(env.database.db);
  return rows[0];
}

const NOTHING = { flows: 0, records: 0, connections: 0, outbox: 0, phases: 0 };

/** `rows` ordinary rows; `bad` replaces row `at`. */
function inventory(rows: number, bad?: { at: number; line: string }) {
  const lines = ["hostname,ip,notes"];
  for (let row = 1; row <= rows; row++) {
    lines.push(row === bad?.at ? bad.line : `web-${row},10.0.${row % 250}.${row % 200},ok`);
  }
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  env = await createTestEnv();
  // Uploads only: the engine stays off so nothing but CreateFlow touches the tables.
  service = await startFlowService({
    ...env.serviceEnv,
    FLOW_CONCURRENCY: "0",
    MAX_COLUMNS: "20",
    MAX_CELL_BYTES: "1024",
    MAX_ROW_BYTES: "2048",
  });
  handle = createClient(FlowService, service.target, { credentials: service.credentials });
});

afterAll(async () => {
  handle?.close();
  await service?.stop();
  await env?.cleanup();
});

describe("CreateFlow refuses a file past the configured limits, storing nothing", () => {
  it("refuses a cell over MAX_CELL_BYTES in row 4,900, after 4,000 rows were already inserted", async () => {
    const file = inventory(5_000, { at: 4_900, line: `web-4900,10.0.0.1,${"A".repeat(1_025)}` });
    const error = await refused(handle.client.createFlow(uploadParts(file, {}, 16 * 1024), { tenant: acme }));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'row 4900 (line 4901), column "notes": the cell is larger than the limit of 1024 bytes per cell (MAX_CELL_BYTES)',
    );
    expect(error.details).toMatchObject({ row: 4900, line: 4901, column: "notes", limit: 1024 });
    expect(await stored()).toEqual(NOTHING);
  });

  it("refuses a row over MAX_ROW_BYTES and a header over MAX_COLUMNS", async () => {
    const wide = `hostname,a,b,c\nweb-1,${"x".repeat(1_000)},${"y".repeat(1_000)},${"z".repeat(100)}\n`;
    const row = await refused(handle.client.createFlow(uploadParts(wide), { tenant: acme }));
    expect(row.code).toBe("PAYLOAD_TOO_LARGE");
    expect(row.message).toBe(
      'row 1 (line 2), column "c": the row is larger than the limit of 2048 bytes per row (MAX_ROW_BYTES)',
    );
    const header = Array.from({ length: 25 }, (_, i) => `c${i + 1}`).join(",");
    const columns = await refused(
      handle.client.createFlow(uploadParts(`${header}\n${"1,".repeat(24)}1\n`), { tenant: acme }),
    );
    expect(columns.code).toBe("INVALID_ARGUMENT");
    expect(columns.message).toBe(
      'the header (line 1), column "c21": the file has 25 columns, more than the limit of 20 columns (MAX_COLUMNS)',
    );
    expect(await stored()).toEqual(NOTHING);
  });

  it("refuses an unbalanced quote after 3,000 rows, naming the line it opened on", async () => {
    const file = inventory(3_500, { at: 3_000, line: 'web-3000,10.0.0.1,"note that never ends' });
    const error = await refused(handle.client.createFlow(uploadParts(file, {}, 8 * 1024), { tenant: acme }));
    // The open quote swallows the lines after it until its cell crosses MAX_CELL_BYTES.
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toMatch(
      /^row 3000 \(line 3001\), column "notes": the quoted field opened on line 3001 runs over \d+ line break\(s\) and past the limit of 1024 bytes per cell \(MAX_CELL_BYTES\); check for an unbalanced quote$/,
    );
    expect(error.details).toMatchObject({ row: 3000, line: 3001, reason: "unbalanced_quote", quote_line: 3001 });
    expect(await stored()).toEqual(NOTHING);
  });

  it("refuses JSON nested past the depth limit and a connections file past the limits", async () => {
    const deep = `[{"hostname":"a"},${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]`;
    const nested = await refused(
      handle.client.createFlow(uploadParts(deep, { contentType: "application/json", filename: "x.json" }), {
        tenant: acme,
      }),
    );
    expect(nested.code).toBe("INVALID_ARGUMENT");
    expect(nested.message).toMatch(/^element 1 of the JSON array \(row 2\) nests objects and arrays deeper than/);

    const connections = `source,destination\nweb-1,${"d".repeat(1_100)}\n`;
    const error = await refused(
      handle.client.createFlow(discoveryUpload(inventory(3_000), connections), { tenant: acme }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'connections file: row 1 (line 2), column "destination": the cell is larger than the limit of 1024 bytes per cell (MAX_CELL_BYTES)',
    );
    expect(await stored()).toEqual(NOTHING);
  });

  it("is still serving, and takes a file within the limits", async () => {
    expect(await checkHealth(service.target, FlowService.typeName, 2_000)).toBe("SERVING");
    const { flow } = await handle.client.createFlow(uploadParts(inventory(100)), { tenant: acme });
    expect(flow?.rawRecordCount).toBe(100n);
  });
});
