import type { DiscoveryMesh } from "./discovery-mesh.ts";

// biome-ignore lint/suspicious/noExplicitAny: flows are read loosely; the tests check their shape.
export type FlowJson = any;

export interface FlowRun {
  flow: FlowJson;
  /** From the create request to the first poll that saw a terminal status. */
  ms: number;
  /** Whether the flow stopped for the mapping review (approved as suggested). */
  reviewed: boolean;
}

/**
 * Uploads `csv` through REST and polls the flow (every 50 ms) to a terminal status, approving
 * the mapping review as suggested when the flow waits for it; `beforeApprove` runs first.
 */
export async function runFlow(
  d: DiscoveryMesh,
  token: string,
  csv: string,
  options: { name?: string; beforeApprove?: (flowId: string) => Promise<void>; timeoutMs?: number } = {},
): Promise<FlowRun> {
  const form = new FormData();
  form.append("name", options.name ?? "LLM estate");
  form.append("file", new Blob([csv], { type: "text/csv" }), "inventory.csv");
  const started = performance.now();
  const created = await d.api("/v1/flows", token, { method: "POST", body: form });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${await created.text()}`);
  const flowId: string = ((await created.json()) as FlowJson).flow.id;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let reviewed = false;
  while (Date.now() < deadline) {
    const { flow } = (await (await d.api(`/v1/flows/${flowId}`, token)).json()) as FlowJson;
    if (["completed", "failed", "cancelled"].includes(flow.status)) {
      return { flow, ms: performance.now() - started, reviewed };
    }
    if (flow.status === "awaiting_input" && !reviewed) {
      reviewed = true;
      await options.beforeApprove?.(flowId);
      const approved = await d.api(`/v1/flows/${flowId}/mappings/approve`, token, { method: "POST" });
      if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${await approved.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`flow ${flowId} did not finish in time`);
}
