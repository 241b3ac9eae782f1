import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { tenant, uploadParts } from "./support/upload.ts";

/**
 * The widest inventory the upload accepts (MAX_COLUMNS, 1,000 by default) must also work after
 * the upload: 10,000 columns used to be accepted and then fail data validation with "internal
 * error" (one statement binding 8 parameters per column overflowed PostgreSQL's 65,535).
 */

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
let mesh: DiscoveryMesh;

beforeAll(async () => {
  mesh = await startDiscoveryMesh();
});

afterAll(async () => {
  await mesh?.stop();
});

describe("an inventory of exactly MAX_COLUMNS columns", () => {
  it("is imported and goes through data validation", async () => {
    const names = ["Server Name", "IP Address", "Operating System", "Memory (GB)"];
    for (let i = names.length + 1; i <= 1_000; i++) names.push(`Custom Field ${i}`);
    const lines = [names.join(",")];
    for (let row = 1; row <= 40; row++) {
      const cells = [`srv-${row}`, `10.0.0.${row}`, "Windows Server 2019", "16"];
      for (let i = cells.length + 1; i <= 1_000; i++) cells.push(`v${row}-${i}`);
      lines.push(cells.join(","));
    }
    const { flow } = await mesh.flows.createFlow(uploadParts(`${lines.join("\n")}\n`), { tenant: acme });
    expect(flow?.columns).toHaveLength(1_000);
    const settled = await mesh.waitForFlow(
      acme,
      flow?.id ?? "",
      (f) => f.status !== FlowStatus.PENDING && f.status !== FlowStatus.RUNNING,
      90_000,
    );
    expect(settled.status, settled.statusMessage).not.toBe(FlowStatus.FAILED);
    const validation = settled.phases.find((phase) => phase.phase === FlowPhase.DATA_VALIDATION);
    expect(validation?.status, validation?.error).toBe("completed");
    expect(validation?.processed).toBe(40n);
    const review = await mesh.flows.getMappings({ flowId: flow?.id ?? "" }, { tenant: acme });
    expect(review.mappings).toHaveLength(1_000);
  });
});
