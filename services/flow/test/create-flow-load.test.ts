import { sql } from "@migrate/db";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { type ClientHandle, createClient } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlowProcess, startFlowService } from "./support/flow-process.ts";
import { createTestEnv, type TestEnv } from "./support/test-env.ts";
import { tenant, uploadParts } from "./support/upload.ts";

// A small upload is stored by one statement (every table written in CTEs); many at once must each
// leave exactly their flow, records, phases and one event, and ListFlows must filter by status.
const acme = tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
let env: TestEnv;
let service: FlowProcess;
let handle: ClientHandle<(typeof FlowService)["method"]>;

beforeAll(async () => {
  env = await createTestEnv();
  service = await startFlowService({ ...env.serviceEnv, FLOW_CONCURRENCY: "0" });
  handle = createClient(FlowService, service.target, { credentials: service.credentials });
});

afterAll(async () => {
  handle?.close();
  await service?.stop();
  await env?.cleanup();
});

function inventory(rows: number, seed: number): string {
  const lines = ["Server Name,OS,IP"];
  for (let i = 1; i <= rows; i++) lines.push(`srv-${seed}-${i},RHEL 8,10.${seed % 250}.0.${i % 250}`);
  return `${lines.join("\n")}\n`;
}

describe("CreateFlow under load", () => {
  it("stores 300 concurrent 100-row uploads, each whole, with its phases and one flow.created event", async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        handle.client.createFlow(uploadParts(inventory(100, i), { name: `estate ${i}` }, 1_024), { tenant: acme }),
      ),
    );
    for (const [i, { flow }] of answers.entries()) {
      expect(flow).toMatchObject({
        name: `estate ${i}`,
        status: FlowStatus.PENDING,
        phase: FlowPhase.DATA_IMPORT,
        rawRecordCount: 100n,
        columns: ["Server Name", "OS", "IP"],
      });
      // The phases come back with the flow, as the single statement inserted them.
      expect(flow?.phases.map((phase) => phase.status)).toEqual(flow?.phases.map(() => "pending"));
      expect(flow?.phases.length).toBeGreaterThan(5);
    }
    const ids = answers.map(({ flow }) => flow?.id ?? "");
    const { rows } = await sql<{ id: string; records: number; first: string; phases: number; events: number }>`
      select f.id,
        (select count(*) from raw_records r where r.flow_id = f.id)::int as records,
        (select r.data->>'Server Name' from raw_records r where r.flow_id = f.id and r.row_number = 1) as first,
        (select count(*) from flow_phases p where p.flow_id = f.id)::int as phases,
        (select count(*) from outbox o where o.payload->>'flow_id' = f.id::text and o.payload->>'type' = 'flow.created')::int
          as events
      from flows f where f.id = any(${ids}::uuid[])`.execute(env.database.db);
    expect(rows).toHaveLength(300);
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const [i, id] of ids.entries()) {
      expect(byId.get(id)).toMatchObject({ records: 100, first: `srv-${i}-1`, events: 1 });
      expect(byId.get(id)?.phases).toBe(answers[i]?.flow?.phases.length);
    }
  });

  it("lists one status among many, newest first, through the status index", async () => {
    const { rows } = await sql<{ id: string }>`
      select id from flows where client_account_id = ${acme.clientAccountId} order by created_at desc, id desc`.execute(
      env.database.db,
    );
    const running = rows.filter((_, i) => i % 10 === 3).map((row) => row.id);
    await sql`update flows set status = 'running' where id = any(${running}::uuid[])`.execute(env.database.db);
    const page = await handle.client.listFlows({ status: FlowStatus.RUNNING, limit: 20 }, { tenant: acme });
    expect(page.flows.map((flow) => flow.id)).toEqual(running.slice(0, 20));
    const { rows: plan } = await sql<{ "QUERY PLAN": string }>`
      explain select id from flows where client_account_id = ${acme.clientAccountId} and status = 'running'
      order by created_at desc, id desc limit 21`.execute(env.database.db);
    expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toContain("flows_tenant_status_created_idx");
  });
});
