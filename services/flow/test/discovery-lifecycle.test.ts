import type { MeshError } from "@migrate/errors";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import type { Flow } from "@migrate/gen/flow/v1/flow_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { tenant } from "./support/upload.ts";

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
const globex = tenant(`globex-${run}`);
let mesh: DiscoveryMesh;

async function refused(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: MeshError) => e,
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

/** Everything that moves while a flow works: records processed per phase, and the flow's progress. */
async function footprint(flowId: string): Promise<string> {
  const phases = await mesh.database.db
    .selectFrom("flow_phases")
    .select(["phase", "status", "processed"])
    .where("flow_id", "=", flowId)
    .orderBy("phase")
    .execute();
  const flow = await mesh.database.db
    .selectFrom("flows")
    .select(["status", "progress", "lease_owner"])
    .where("id", "=", flowId)
    .executeTakeFirstOrThrow();
  const assets = await mesh.database.db
    .selectFrom("assets")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("flow_id", "=", flowId)
    .executeTakeFirstOrThrow();
  return JSON.stringify({ phases, flow, assets: Number(assets.n) });
}

const processedIn = (flow: Flow, phase: number) => Number(flow.phases.find((p) => p.phase === phase)?.processed ?? 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // Small batches, one at a time: a flow of a few thousand rows takes long enough to act on mid-way.
  mesh = await startDiscoveryMesh({ flowEnv: { FLOW_BATCH_SIZE: "100", FLOW_BATCHES_IN_FLIGHT: "1" } });
});

afterAll(async () => {
  await mesh?.stop();
});

describe("pause, resume and cancel", () => {
  const sample = generateSample({ servers: 3_000, seed: 11 });

  it("pauses a running flow at a batch boundary, holds it still, and resumes it to completion", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    await mesh.waitForFlow(acme, id, (f) => processedIn(f, 4) > 0);
    const paused = await mesh.flows.pauseFlow({ flowId: id }, { tenant: acme });
    expect(paused.flow?.status).toBe(FlowStatus.PAUSED);
    expect(paused.flow?.statusMessage).toBe("paused by tester; resume it to continue");

    const before = await footprint(id);
    await sleep(1_000);
    expect(await footprint(id)).toBe(before);
    expect(JSON.parse(before).flow.lease_owner).toBeNull();

    const again = await refused(mesh.flows.pauseFlow({ flowId: id }, { tenant: acme }));
    expect(again.code).toBe("FAILED_PRECONDITION");
    expect(again.message).toBe("flow is paused; only a running or pending flow can be paused");
    expect((await refused(mesh.flows.resumeFlow({ flowId: id }, { tenant: globex }))).code).toBe("NOT_FOUND");

    const resumed = await mesh.flows.resumeFlow({ flowId: id }, { tenant: acme });
    expect(resumed.flow?.status).toBe(FlowStatus.RUNNING);
    const done = await mesh.waitForFlow(
      acme,
      id,
      (f) => f.status === FlowStatus.COMPLETED || f.status === FlowStatus.FAILED,
    );
    expect(done.status).toBe(FlowStatus.COMPLETED);
    expect(Number(done.assetCount)).toBe(3_000);

    const completedError = await refused(mesh.flows.pauseFlow({ flowId: id }, { tenant: acme }));
    expect(completedError.code).toBe("FAILED_PRECONDITION");
    expect(completedError.message).toBe("flow is completed; only a running or pending flow can be paused");
    expect((await refused(mesh.flows.resumeFlow({ flowId: id }, { tenant: acme }))).code).toBe("FAILED_PRECONDITION");
    expect((await refused(mesh.flows.retryFlow({ flowId: id }, { tenant: acme }))).message).toBe(
      "flow is completed; only a failed flow can be retried",
    );
    expect((await refused(mesh.flows.cancelFlow({ flowId: id }, { tenant: acme }))).code).toBe("FAILED_PRECONDITION");

    const types = (await mesh.events(acme, id)).map((e) => e.type);
    expect(types.indexOf("flow.paused")).toBeGreaterThan(0);
    expect(types.indexOf("flow.resumed")).toBeGreaterThan(types.indexOf("flow.paused"));
    expect(types.filter((t) => t === "flow.completed")).toHaveLength(1);
  });

  it("cancels a running flow for good", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    await mesh.waitForFlow(acme, id, (f) => processedIn(f, 2) > 0);
    const cancelled = await mesh.flows.cancelFlow({ flowId: id }, { tenant: acme });
    expect(cancelled.flow?.status).toBe(FlowStatus.CANCELLED);
    const before = await footprint(id);
    await sleep(1_500);
    expect(await footprint(id)).toBe(before);
    expect((await mesh.flows.getFlow({ flowId: id }, { tenant: acme })).flow?.status).toBe(FlowStatus.CANCELLED);
    const resume = await refused(mesh.flows.resumeFlow({ flowId: id }, { tenant: acme }));
    expect(resume.message).toBe("flow is cancelled; only a paused flow can be resumed");
    const types = (await mesh.events(acme, id)).map((e) => e.type);
    expect(types).toContain("flow.cancelled");
    expect(types).not.toContain("flow.completed");
  });

  it("cancels a flow paused as soon as it was created; nothing runs after", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv), { tenant: acme });
    const id = flow?.id ?? "";
    await mesh.flows.pauseFlow({ flowId: id }, { tenant: acme });
    expect((await mesh.flows.cancelFlow({ flowId: id }, { tenant: acme })).flow?.status).toBe(FlowStatus.CANCELLED);
    await sleep(1_000);
    const phases = await mesh.database.db
      .selectFrom("flow_phases")
      .select(["phase", "status"])
      .where("flow_id", "=", id)
      .where("status", "=", "completed")
      .execute();
    expect(phases.map((p) => p.phase).filter((p) => p !== "data_import")).toEqual([]);
  });
});
