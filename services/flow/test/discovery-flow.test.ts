import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { ASSET_WAVE } from "../src/results/asset-view.ts";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { tenant } from "./support/upload.ts";

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
const PHASE_ORDER = [
  "data_import",
  "data_validation",
  "field_mapping",
  "data_cleansing",
  "asset_inventory",
  "dependency_analysis",
  "application_discovery",
  "strategy_recommendation",
];
let mesh: DiscoveryMesh;

beforeAll(async () => {
  mesh = await startDiscoveryMesh();
});

afterAll(async () => {
  await mesh?.stop();
});

describe("a discovery flow end to end", () => {
  it("takes a 2,000-server inventory with connections from upload to waves", async () => {
    const sample = generateSample({ servers: 2_000, seed: 7 });
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    expect(flow).toMatchObject({ status: FlowStatus.PENDING, rawRecordCount: 2_020n });
    expect(Number(flow?.connectionCount)).toBe(sample.connectionsCsv.trim().split("\n").length - 1);

    let current = await mesh.waitForFlow(acme, id, (f) =>
      [FlowStatus.AWAITING_INPUT, FlowStatus.COMPLETED, FlowStatus.FAILED].includes(f.status),
    );
    if (current.status === FlowStatus.AWAITING_INPUT) {
      expect(current.phase).toBe(FlowPhase.FIELD_MAPPING);
      expect(current.statusMessage).toMatch(/field mappings need review/);
      const review = await mesh.flows.getMappings({ flowId: id }, { tenant: acme });
      expect(review.awaitingApproval).toBe(true);
      expect(review.reasons.length).toBeGreaterThan(0);
      expect(review.mappings.map((m) => m.source)).toEqual(current.columns);
      const approved = await mesh.flows.approveMappings({ flowId: id, corrections: [] }, { tenant: acme });
      expect(approved.flow?.status).toBe(FlowStatus.RUNNING);
      current = await mesh.waitForFlow(acme, id, (f) => [FlowStatus.COMPLETED, FlowStatus.FAILED].includes(f.status));
    }
    expect(current.statusMessage).toBe("");
    expect(current.status).toBe(FlowStatus.COMPLETED);
    expect(current.progress).toBe(100);
    expect(current.completedAt).not.toBe("");
    expect(current.phases.map((p) => p.status)).toEqual(Array(8).fill("completed"));

    const db = mesh.database.db;
    const assets = await db
      .selectFrom("assets")
      .select(["row_number", "hostname", "duplicate_of", "strategy", ASSET_WAVE])
      .where("flow_id", "=", id)
      .execute();
    const kept = assets.filter((a) => a.duplicate_of === null);
    // Every server once: the generator's 1 % re-exported rows are duplicates of their first row.
    expect(new Set(kept.map((a) => a.hostname)).size).toBe(2_000);
    expect(kept).toHaveLength(2_000);
    expect(Number(current.assetCount)).toBe(2_000);
    expect(kept.filter((a) => !a.strategy)).toEqual([]);
    // A duplicate has no strategy of its own, however early strategies were recommended.
    const duplicates = assets.filter((a) => a.duplicate_of !== null);
    expect(duplicates.length).toBeGreaterThan(0);
    expect(duplicates.filter((a) => a.strategy !== null)).toEqual([]);
    expect(kept.filter((a) => a.wave === null).length).toBeLessThan(kept.length);
    // Every cleansing change is kept with its asset: the generator's sizes in MB and MiB, its CPU strings.
    const changed = await db.selectFrom("assets").select(["row_number", "changes"]).where("flow_id", "=", id).execute();
    const changes = changed.flatMap((a) =>
      (a.changes as Array<{ row_number: string; rule: string }>).map((c) => ({ ...c, asset: a.row_number })),
    );
    expect(changes.every((c) => Number(c.row_number) === c.asset)).toBe(true);
    const rules = new Set(changes.map((c) => c.rule));
    for (const rule of ["unit_mb_to_gb", "unit_mib_to_gb", "cpu_string_to_cores"]) expect(rules).toContain(rule);
    const counts = await db
      .selectFrom("flows")
      .select((eb) => [
        eb
          .selectFrom("applications")
          .select(eb.fn.countAll<number>().as("n"))
          .where("flow_id", "=", id)
          .as("applications"),
        eb.selectFrom("waves").select(eb.fn.countAll<number>().as("n")).where("flow_id", "=", id).as("waves"),
        eb
          .selectFrom("dependencies")
          .select(eb.fn.countAll<number>().as("n"))
          .where("flow_id", "=", id)
          .as("dependencies"),
      ])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(Number(counts.applications)).toBeGreaterThan(0);
    expect(Number(current.applicationCount)).toBe(Number(counts.applications));
    expect(Number(counts.waves)).toBeGreaterThan(0);
    expect(Number(counts.dependencies)).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = await mesh.events(acme, id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("flow.created");
    expect(types.filter((t) => t === "flow.completed")).toHaveLength(1);
    expect(types[types.length - 1]).toBe("flow.completed");
    const started = events.filter((e) => e.type === "phase.started").map((e) => e.payload.phase);
    const completed = events.filter((e) => e.type === "phase.completed").map((e) => e.payload.phase);
    expect(completed).toEqual(PHASE_ORDER);
    expect(started).toEqual(PHASE_ORDER.filter((p) => started.includes(p)));
    expect(started).toEqual(expect.arrayContaining(["data_import", "data_cleansing", "strategy_recommendation"]));
    // Progress events stay sparse: at most one per 10 % of a phase.
    const progress = events.filter((e) => e.type === "phase.progress");
    for (const phase of PHASE_ORDER)
      expect(progress.filter((e) => e.payload.phase === phase).length).toBeLessThanOrEqual(9);
    const completedEvent = events[events.length - 1];
    expect(completedEvent?.payload).toMatchObject({ asset_count: 2_000 });
    expect(completedEvent?.progress).toBe(100);
  });
});
