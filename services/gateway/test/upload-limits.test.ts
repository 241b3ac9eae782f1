import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayStack, startGatewayStack } from "./support/gateway-stack.ts";

/**
 * Hostile inventories over `POST /v1/flows`, with the flow service's default limits (1,000
 * columns, 64 KiB per cell, 1 MiB per row, 64 levels of JSON nesting): each is refused with
 * 400 or 413 naming the limit, the row and the column, nothing is stored for the tenant, and both
 * processes keep serving.
 */

interface Answer {
  status: number;
  body: {
    flow: { id: string; raw_record_count: number; columns: string[] };
    flows: Array<{ id: string }>;
    error: { code: string; message: string; details: Record<string, unknown> };
  };
}

let stack: GatewayStack;
beforeAll(async () => {
  // The gateway's own byte limit above the 5 MiB cases: the flow service's limits are the ones tested.
  stack = await startGatewayStack({ maxUploadBytes: 16 * 1024 * 1024 });
});
afterAll(async () => {
  await stack?.cleanup();
});

async function call(path: string, init: RequestInit & { token: string }): Promise<Answer> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${init.token}`);
  const res = await fetch(`${stack.gatewayUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function post(body: RequestInit["body"], contentType: string) {
  const token = await stack.token(stack.tenant("hostile-upload"));
  const res = await call("/v1/flows", { method: "POST", token, headers: { "content-type": contentType }, body });
  return { res, token };
}

/** Nothing stored for the tenant, and the gateway and the flow service still answer. */
async function expectNothingStoredAndAlive(token: string) {
  const list = await call("/v1/flows?limit=200", { token });
  expect(list.status).toBe(200);
  expect(list.body.flows).toEqual([]);
  expect((await fetch(`${stack.gatewayUrl}/healthz`)).status).toBe(200);
  expect(stack.flow.child.exitCode).toBeNull();
  // Ready only while the flow service answers its health check.
  expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
}

describe("inventories past the upload limits", () => {
  it("answers 413 to a 5 MiB cell, naming MAX_CELL_BYTES, the row and the column", async () => {
    const { res, token } = await post(`Server Name,Notes\nsrv-1,${"A".repeat(5 * 1024 * 1024)}\n`, "text/csv");
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(res.body.error.message).toBe(
      'row 1 (line 2), column "Notes": the cell is larger than the limit of 65536 bytes per cell (MAX_CELL_BYTES)',
    );
    expect(res.body.error.details).toMatchObject({ row: 1, line: 2, column: "Notes", setting: "MAX_CELL_BYTES" });
    await expectNothingStoredAndAlive(token);
  });

  it("answers 413 to a row over 1 MiB, naming MAX_ROW_BYTES", async () => {
    const cells = Array.from({ length: 20 }, () => "x".repeat(60 * 1024)).join(",");
    const header = Array.from({ length: 20 }, (_, i) => `c${i + 1}`).join(",");
    const { res, token } = await post(`${header}\n${cells}\n`, "text/csv");
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe(
      'row 1 (line 2), column "c18": the row is larger than the limit of 1048576 bytes per row (MAX_ROW_BYTES)',
    );
    await expectNothingStoredAndAlive(token);
  });

  it("answers 400 to 10,000 columns, naming MAX_COLUMNS", async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `col${i + 1}`).join(",");
    const row = Array.from({ length: 10_000 }, (_, i) => `${i}`).join(",");
    const { res, token } = await post(`${header}\n${row}\n`, "text/csv");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_ARGUMENT");
    expect(res.body.error.message).toBe(
      'the header (line 1), column "col1001": the file has 10000 columns, more than the limit of 1000 columns (MAX_COLUMNS)',
    );
    expect(res.body.error.details).toMatchObject({ setting: "MAX_COLUMNS", limit: 1000, columns: 10_000 });
    await expectNothingStoredAndAlive(token);
  });

  it("answers 400 to JSON nested 100,000 levels deep, naming the element", async () => {
    const deep = `[${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]`;
    const { res, token } = await post(deep, "application/json");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_ARGUMENT");
    expect(res.body.error.message).toBe(
      "element 0 of the JSON array (row 1) nests objects and arrays deeper than the limit of 64 levels; inventory records must be flat objects",
    );
    await expectNothingStoredAndAlive(token);
  });

  it("answers 400 to an unbalanced quote, naming the line where it opened", async () => {
    const never = await post('Server Name,OS\nsrv-1,Linux\nsrv-2,"Windows\nsrv-3,Linux\n', "text/csv");
    expect(never.res.status).toBe(400);
    expect(never.res.body.error.message).toBe(
      'row 2 (line 3), column "OS": the quote that opens this field on line 3 is never closed (the file ends inside it, on line 5); check for an unbalanced quote',
    );
    await expectNothingStoredAndAlive(never.token);
    const merged = await post('Server Name,OS,CPU\nsrv-1,"Windows\nsrv-2,Linux"\nsrv-3,Linux,2\n', "text/csv");
    expect(merged.res.status).toBe(400);
    expect(merged.res.body.error.message).toBe(
      'row 1 (lines 2-3), column "OS": the quoted field opened on line 2 spans 2 lines and leaves the row with 2 cells where the header has 3 columns; check for an unbalanced quote',
    );
    await expectNothingStoredAndAlive(merged.token);
  });

  it("answers 400 to a connections file with an unbalanced quote, storing nothing", async () => {
    const token = await stack.token(stack.tenant("hostile-connections"));
    const form = new FormData();
    form.append("file", new Blob(["hostname\nweb-01\ndb-01\n"], { type: "text/csv" }), "inventory.csv");
    form.append("connections", new Blob(['source,destination\nweb-01,"db-01\n'], { type: "text/csv" }), "c.csv");
    const res = await call("/v1/flows", { method: "POST", token, body: form });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'connections file: row 1 (line 2), column "destination": the quote that opens this field on line 2 is never closed (the file ends inside it, on line 3); check for an unbalanced quote',
    );
    await expectNothingStoredAndAlive(token);
  });

  it("still creates a flow from an inventory within the limits afterwards", async () => {
    const header = Array.from({ length: 1_000 }, (_, i) => `col${i + 1}`).join(",");
    const row = Array.from({ length: 1_000 }, (_, i) => `${i}`).join(",");
    const { res } = await post(`${header}\n${row}\n${row}\n`, "text/csv");
    expect(res.status).toBe(201);
    expect(res.body.flow.raw_record_count).toBe(2);
    expect(res.body.flow.columns).toHaveLength(1_000);
  });
});
