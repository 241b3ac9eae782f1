import { sql } from "@migrate/db";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import type { Flow } from "@migrate/gen/flow/v1/flow_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { tenant } from "./support/upload.ts";

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
const SERVERS = 10_000;
const sample = generateSample({ servers: SERVERS, seed: 3 });
let mesh: DiscoveryMesh;

const processedIn = (flow: Flow, phase: FlowPhase) =>
  Number(flow.phases.find((p) => p.phase === phase)?.processed ?? 0);
const finished = (f: Flow) => f.status === FlowStatus.COMPLETED || f.status === FlowStatus.FAILED;

/** What a finished flow stored: one asset per record, every server once, no issue twice. */
async function expectExactResults(flowId: string) {
  const db = mesh.database.db;
  const assets = await sql<{ rows: number; kept: number; distinct_rows: number; strategies: number }>`
    select count(*)::int as rows, count(*) filter (where duplicate_of is null)::int as kept,
           count(distinct row_number)::int as distinct_rows,
           count(strategy) filter (where duplicate_of is null)::int as strategies
    from assets where flow_id = ${flowId}`.execute(db);
  expect(assets.rows[0]).toEqual({
    rows: SERVERS + SERVERS / 100,
    kept: SERVERS,
    distinct_rows: SERVERS + SERVERS / 100,
    strategies: SERVERS,
  });
  const repeated = await sql<{ n: number }>`
    select count(*)::int as n from (
      select phase, row_number, code, column_name, field from issues where flow_id = ${flowId}
      group by 1, 2, 3, 4, 5 having count(*) > 1) as twice`.execute(db);
  expect(repeated.rows[0]?.n).toBe(0);
  const events = await mesh.events(acme, flowId);
  expect(events.filter((e) => e.type === "flow.completed")).toHaveLength(1);
  // A resumed flow redoes no finished phase: each completes exactly once.
  const completions = events.filter((e) => e.type === "phase.completed").map((e) => e.payload.phase);
  expect(completions).toEqual([
    "data_import",
    "data_validation",
    "field_mapping",
    "data_cleansing",
    "asset_inventory",
    "dependency_analysis",
    "application_discovery",
    "strategy_recommendation",
  ]);
}

beforeAll(async () => {
  // A short lease, so a restarted replica takes over a killed one's flow within seconds.
  mesh = await startDiscoveryMesh({ flowEnv: { FLOW_LEASE_MS: "3000" } });
});

afterAll(async () => {
  await mesh?.stop();
});

describe("a 10,000-row flow", () => {
  it("runs from upload to completed", async () => {
    const started = Date.now();
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    const done = await mesh.waitForFlow(acme, id, finished);
    const ms = Date.now() - started;
    const phaseMs = done.phases.map(
      (p) => `${FlowPhase[p.phase]?.toLowerCase()} ${Date.parse(p.completedAt) - Date.parse(p.startedAt)} ms`,
    );
    console.info(
      `10,000-row flow, ${flow?.connectionCount} connections: create to completed in ${ms} ms (${phaseMs.join(", ")})`,
    );
    expect(done.status).toBe(FlowStatus.COMPLETED);
    await expectExactResults(id);
  });

  it("survives SIGKILL of the flow service mid-cleansing: the restarted service resumes and duplicates nothing", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    const caught = await mesh.waitForFlow(acme, id, (f) => processedIn(f, FlowPhase.DATA_CLEANSING) > 0, 120_000);
    expect(caught.status).toBe(FlowStatus.RUNNING);
    await mesh.services.flow.stop("SIGKILL");
    await mesh.services.flow.restart();
    const done = await mesh.waitForFlow(acme, id, finished);
    expect(done.status).toBe(FlowStatus.COMPLETED);
    await expectExactResults(id);
  });

  it("hands a flow on at SIGTERM: the batch in hand commits, the lease is released, a restart finishes it", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    await mesh.waitForFlow(acme, id, (f) => processedIn(f, FlowPhase.DATA_CLEANSING) > 0, 120_000);
    expect(await mesh.services.flow.stop("SIGTERM")).toBe(0);
    const left = await mesh.database.db
      .selectFrom("flows")
      .select(["status", "lease_owner", "lease_until"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(left).toEqual({ status: "running", lease_owner: null, lease_until: null });
    await mesh.services.flow.restart();
    const done = await mesh.waitForFlow(acme, id, finished);
    expect(done.status).toBe(FlowStatus.COMPLETED);
    await expectExactResults(id);
  });

  it("survives the agent service going away mid-flow and coming back a second later", async () => {
    const id = await completesDespiteAgentLoss((f) => processedIn(f, FlowPhase.DATA_VALIDATION) > 0);
    await expectExactResults(id);
  });

  it("survives the agent going away in the middle of the whole-flow streams: each call starts its stream again", async () => {
    const id = await completesDespiteAgentLoss((f) => f.phase === FlowPhase.DEPENDENCY_ANALYSIS || finished(f));
    await expectExactResults(id);
    // Every edge once: a stream cut short left nothing half-stored.
    const edges = await sql<{ edges: number; distinct_edges: number }>`
      select count(*)::int as edges,
             count(distinct (source_row_number, source_label, target_row_number, target_label, port, protocol))::int
               as distinct_edges
      from dependencies where flow_id = ${id}`.execute(mesh.database.db);
    expect(edges.rows[0]?.edges).toBeGreaterThan(0);
    expect(edges.rows[0]?.edges).toBe(edges.rows[0]?.distinct_edges);
  });
});

/**
 * Starts a flow, SIGKILLs the agent service once `when` holds, starts it again a second later,
 * and expects the flow to complete cleanly; answers its id.
 */
async function completesDespiteAgentLoss(when: (flow: Flow) => boolean): Promise<string> {
  const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
    tenant: acme,
  });
  const id = flow?.id ?? "";
  await mesh.waitForFlow(acme, id, when, 120_000);
  await mesh.services.agent.stop("SIGKILL");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await mesh.services.agent.restart();
  const done = await mesh.waitForFlow(acme, id, finished);
  expect(done.statusMessage).toBe("");
  expect(done.status).toBe(FlowStatus.COMPLETED);
  return id;
}
