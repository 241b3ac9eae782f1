import type { MeshError } from "@migrate/errors";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { tenant } from "./support/upload.ts";

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
const globex = tenant(`globex-${run}`);
let mesh: DiscoveryMesh;

/** Headers no dictionary knows, values no shape rule claims as a name. */
function gibberishCsv(rows: number): string {
  const lines = ["Qx7,Zorp,Flib"];
  for (let i = 1; i <= rows; i++)
    lines.push(`unit-${String(i).padStart(4, "0")},${(i * 37) % 1000},${i % 2 ? "teal" : "ochre"}`);
  return `${lines.join("\n")}\n`;
}

async function refused(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: MeshError) => e,
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

beforeAll(async () => {
  mesh = await startDiscoveryMesh();
});

afterAll(async () => {
  await mesh?.stop();
});

describe("mapping review", () => {
  it("waits for a person when no column maps to a name, refuses bad corrections, then runs on a good one", async () => {
    const { flow } = await mesh.flows.createFlow(discoveryUpload(gibberishCsv(60)), { tenant: acme });
    const id = flow?.id ?? "";
    const waiting = await mesh.waitForFlow(
      acme,
      id,
      (f) => f.status !== FlowStatus.PENDING && f.status !== FlowStatus.RUNNING,
    );
    expect(waiting.status).toBe(FlowStatus.AWAITING_INPUT);
    expect(waiting.phase).toBe(FlowPhase.FIELD_MAPPING);
    expect(waiting.statusMessage).toMatch(/no column maps to a name or hostname/);

    const review = await mesh.flows.getMappings({ flowId: id }, { tenant: acme });
    expect(review).toMatchObject({ flowId: id, awaitingApproval: true, confidenceThreshold: 0.8 });
    expect(review.mappings.map((m) => m.source)).toEqual(["Qx7", "Zorp", "Flib"]);
    expect(review.reasons.join(" ")).toMatch(/no column maps to a name or hostname/);
    expect(review.validTargets).toEqual(expect.arrayContaining(["asset_name", "hostname", "memory_gb", "tags"]));

    const unknownTarget = await refused(
      mesh.flows.approveMappings(
        { flowId: id, corrections: [{ sourceField: "Qx7", targetField: "server_nmae" }] },
        { tenant: acme },
      ),
    );
    expect(unknownTarget.code).toBe("INVALID_ARGUMENT");
    expect(unknownTarget.message).toMatch(
      /^unknown target field server_nmae; valid targets: external_id, asset_name, hostname/,
    );
    expect(unknownTarget.details.valid).toEqual(review.validTargets);

    const unknownColumn = await refused(
      mesh.flows.approveMappings(
        { flowId: id, corrections: [{ sourceField: "Nope", targetField: "hostname" }] },
        { tenant: acme },
      ),
    );
    expect(unknownColumn.code).toBe("INVALID_ARGUMENT");
    expect(unknownColumn.message).toContain('"Nope"');

    const twice = await refused(
      mesh.flows.approveMappings(
        {
          flowId: id,
          corrections: [
            { sourceField: "Qx7", targetField: "hostname" },
            { sourceField: "Flib", targetField: "hostname" },
          ],
        },
        { tenant: acme },
      ),
    );
    expect(twice.code).toBe("INVALID_ARGUMENT");
    expect(twice.message).toMatch(/"Qx7" and "Flib" would both map to hostname/);

    const nameless = await refused(mesh.flows.approveMappings({ flowId: id, corrections: [] }, { tenant: acme }));
    expect(nameless.code).toBe("INVALID_ARGUMENT");
    expect(nameless.message).toMatch(/no column maps to a name or hostname/);

    const foreign = await refused(mesh.flows.approveMappings({ flowId: id, corrections: [] }, { tenant: globex }));
    expect(foreign.code).toBe("NOT_FOUND");
    expect(foreign.message).toBe("flow not found");
    expect((await refused(mesh.flows.getMappings({ flowId: id }, { tenant: globex }))).code).toBe("NOT_FOUND");
    // Refused approvals changed nothing.
    expect((await mesh.flows.getFlow({ flowId: id }, { tenant: acme })).flow?.status).toBe(FlowStatus.AWAITING_INPUT);

    const missingIdentity = async () =>
      Number(
        (
          await mesh.database.db
            .selectFrom("issues")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("flow_id", "=", id)
            .where("code", "=", "missing_identity")
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await missingIdentity()).toBe(60);

    const approved = await mesh.flows.approveMappings(
      { flowId: id, corrections: [{ sourceField: "Qx7", targetField: "hostname" }] },
      { tenant: acme },
    );
    expect(approved.flow?.status).toBe(FlowStatus.RUNNING);
    expect(approved.mappings.find((m) => m.source === "Qx7")).toMatchObject({
      target: "hostname",
      confidence: 1,
      reason: "corrected by tester",
    });
    const done = await mesh.waitForFlow(
      acme,
      id,
      (f) => f.status === FlowStatus.COMPLETED || f.status === FlowStatus.FAILED,
    );
    expect(done.status).toBe(FlowStatus.COMPLETED);
    expect(Number(done.assetCount)).toBe(60);
    // No connections file: dependency analysis is skipped, not failed.
    expect(done.phases.find((p) => p.phase === FlowPhase.DEPENDENCY_ANALYSIS)?.status).toBe("skipped");
    const hostnames = await mesh.database.db
      .selectFrom("assets")
      .select("hostname")
      .where("flow_id", "=", id)
      .orderBy("row_number")
      .execute();
    expect(hostnames[0]?.hostname).toBe("unit-0001");
    // Validated again against the corrected mapping: the rows have a name now.
    expect(await missingIdentity()).toBe(0);

    const late = await refused(mesh.flows.approveMappings({ flowId: id, corrections: [] }, { tenant: acme }));
    expect(late.code).toBe("FAILED_PRECONDITION");
    expect(late.message).toBe("flow is completed; mappings can only be approved while the flow is awaiting_input");
    const after = await mesh.flows.getMappings({ flowId: id }, { tenant: acme });
    expect(after).toMatchObject({ awaitingApproval: false, reasons: [] });

    const types = (await mesh.events(acme, id)).map((e) => e.type);
    expect(types.indexOf("flow.awaiting_input")).toBeLessThan(types.indexOf("mappings.approved"));
    expect(types.filter((t) => t === "mappings.approved")).toHaveLength(1);
    expect(types.filter((t) => t === "flow.completed")).toHaveLength(1);
  });
});
