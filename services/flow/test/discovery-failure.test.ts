import { createServer } from "node:net";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "../../../scripts/generate-sample.ts";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { discoveryUpload } from "./support/discovery-upload.ts";
import { tenant } from "./support/upload.ts";

const run = Math.random().toString(36).slice(2, 8);
const acme = tenant(`acme-${run}`);
let mesh: DiscoveryMesh;
let agentTarget: string;

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  // The flow service starts pointed at a port nobody listens on, and gives up after two attempts.
  mesh = await startDiscoveryMesh({
    flowEnv: { AGENT_GRPC_TARGET: `dns:///127.0.0.1:${await closedPort()}`, AGENT_CALL_ATTEMPTS: "2" },
  });
  agentTarget = `dns:///127.0.0.1:${mesh.env.agent.GRPC_PORT}`;
});

afterAll(async () => {
  await mesh?.stop();
});

describe("a failed phase", () => {
  it("fails the flow with a message, and RetryFlow after the fix completes it", async () => {
    const sample = generateSample({ servers: 500, seed: 5 });
    const { flow } = await mesh.flows.createFlow(discoveryUpload(sample.inventoryCsv, sample.connectionsCsv), {
      tenant: acme,
    });
    const id = flow?.id ?? "";
    const failed = await mesh.waitForFlow(acme, id, (f) => f.status === FlowStatus.FAILED, 60_000);
    expect(failed.phase).toBe(FlowPhase.DATA_VALIDATION);
    expect(failed.statusMessage).toMatch(
      /^data_validation failed: the agent service did not answer MapFields after 2 attempts/,
    );
    const phase = failed.phases.find((p) => p.phase === FlowPhase.DATA_VALIDATION);
    expect(phase?.status).toBe("failed");
    expect(phase?.error).toMatch(/did not answer MapFields/);
    expect(failed.phases.find((p) => p.phase === FlowPhase.DATA_IMPORT)?.status).toBe("completed");
    const failedEvent = (await mesh.events(acme, id)).find((e) => e.type === "flow.failed");
    expect(failedEvent?.payload).toMatchObject({ phase: "data_validation", code: "UNAVAILABLE" });

    // The operator fixes the configuration and restarts the service; the flow stays failed until retried.
    mesh.services.flow.env.AGENT_GRPC_TARGET = agentTarget;
    await mesh.services.flow.stop("SIGTERM");
    await mesh.services.flow.restart();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await mesh.flows.getFlow({ flowId: id }, { tenant: acme })).flow?.status).toBe(FlowStatus.FAILED);

    const retried = await mesh.flows.retryFlow({ flowId: id }, { tenant: acme });
    expect(retried.flow?.status).toBe(FlowStatus.RUNNING);
    expect(retried.flow?.statusMessage).toBe("");
    const done = await mesh.waitForFlow(
      acme,
      id,
      (f) => f.status === FlowStatus.COMPLETED || f.status === FlowStatus.FAILED,
    );
    expect(done.status).toBe(FlowStatus.COMPLETED);
    expect(Number(done.assetCount)).toBe(500);
    expect(done.phases.every((p) => p.status === "completed" && p.error === "")).toBe(true);

    const types = (await mesh.events(acme, id)).map((e) => e.type);
    expect(types.indexOf("flow.retried")).toBeGreaterThan(types.indexOf("flow.failed"));
    // The phase that failed starts again after the retry; data_import, done before, does not.
    expect(types.filter((t) => t === "flow.started")).toHaveLength(1);
    expect(types.filter((t) => t === "flow.completed")).toHaveLength(1);
  });
});
