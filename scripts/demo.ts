/**
 * `npm run demo`: the main job. Brings the mesh up, creates a discovery flow from the bundled
 * sample inventory through the gateway's REST API, prints what the flow holds, stops the mesh.
 */
import { readFileSync } from "node:fs";
import { startMesh } from "@migrate/launcher";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";
import { waitForReady } from "./lib/wait-for-ready.ts";

const SAMPLE = "samples/inventory.csv";
const quiet = process.env.DEMO_VERBOSE !== "1";

console.log("Starting the mesh (gateway, flow, agent, learning, telemetry)...");
const started = Date.now();
const mesh = await startMesh({
  onLine: quiet ? undefined : (line) => console.log(line),
  env: { LOG_LEVEL: quiet ? "warn" : "info" },
});
try {
  await waitForReady(mesh.gatewayUrl);
  console.log(`Mesh ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${mesh.gatewayUrl}`);
  const token = await signDevToken({
    client: "demo",
    sub: "demo-user",
    roles: ["analyst"],
    secret: mesh.jwtSecret,
    expiresIn: "1h",
  });
  const auth = { authorization: `Bearer ${token}` };

  const body = readFileSync(SAMPLE);
  const uploadStarted = Date.now();
  const created = await fetch(`${mesh.gatewayUrl}/v1/flows?name=${encodeURIComponent("Demo estate")}`, {
    method: "POST",
    headers: { ...auth, "content-type": "text/csv", "idempotency-key": `demo-${Date.now()}` },
    body,
  });
  const createdBody = (await created.json()) as { flow?: Record<string, unknown>; error?: unknown };
  if (!created.ok || !createdBody.flow)
    throw new Error(`create failed (${created.status}): ${JSON.stringify(createdBody)}`);
  const flow = createdBody.flow;
  console.log(
    `Uploaded ${SAMPLE} (${(body.length / 1024).toFixed(0)} KiB) in ${((Date.now() - uploadStarted) / 1000).toFixed(2)} s`,
  );

  const read = (await (await fetch(`${mesh.gatewayUrl}/v1/flows/${flow.id}`, { headers: auth })).json()) as {
    flow: Record<string, unknown>;
  };
  const list = (await (await fetch(`${mesh.gatewayUrl}/v1/flows?limit=5`, { headers: auth })).json()) as {
    flows: unknown[];
  };
  console.log("\nFlow");
  for (const key of ["id", "name", "status", "phase", "progress", "source_format", "raw_record_count"]) {
    console.log(`  ${key.padEnd(17)} ${String(read.flow[key])}`);
  }
  console.log(`  ${"columns".padEnd(17)} ${(read.flow.columns as string[]).join(" | ")}`);
  console.log(`\nFlows visible to tenant "demo": ${list.flows.length} (first page)`);
} finally {
  await mesh.stop();
  console.log("Mesh stopped.");
}
