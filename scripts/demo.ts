/**
 * `npm run demo`: the main job, end to end. Brings the mesh up, runs a discovery flow on the
 * bundled sample (10,000 servers and their network connections) through the gateway's REST API,
 * shows its progress from the live event stream, answers the mapping review, prints the
 * assessment summary and stops the mesh. Exits non-zero, saying why, if any step fails.
 *
 * DEMO_VERBOSE=1 shows the services' logs.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { freePortBase, type Mesh, meshPorts, startMesh } from "@migrate/launcher";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";
import { generateSample } from "./generate-sample.ts";
import { createGatewayClient } from "./lib/gateway-client.ts";
import { formatMappings, formatReport } from "./lib/print-report.ts";
import { waitForReady } from "./lib/wait-for-ready.ts";
import { watchFlow } from "./lib/watch-flow.ts";

const INVENTORY = "samples/inventory.csv";
const CONNECTIONS = "samples/connections.csv";
const verbose = process.env.DEMO_VERBOSE === "1";
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const wallStarted = Date.now();
let mesh: Mesh | undefined;
let stopping: Promise<void> | undefined;
const stopMesh = () => {
  stopping ??= (mesh?.stop() ?? Promise.resolve()).then(() => {
    if (mesh) console.log("Mesh stopped.");
  });
  return stopping;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the mesh...`);
    void stopMesh().finally(() => process.exit(130));
  });
}

try {
  if (!existsSync(INVENTORY) || !existsSync(CONNECTIONS)) {
    console.log("Generating the sample inventory (10,000 servers, seed 42)...");
    const sample = generateSample({ servers: 10_000, seed: 42 });
    mkdirSync("samples", { recursive: true });
    writeFileSync(INVENTORY, sample.inventoryCsv);
    writeFileSync(CONNECTIONS, sample.connectionsCsv);
  }

  console.log("Starting the mesh (learning, agent, flow, telemetry, gateway)...");
  const meshStarted = Date.now();
  // The README's ports when free; a free block otherwise (e.g. `npm start` already running).
  const start = async (portBase: number | undefined) =>
    startMesh({
      portBase,
      onLine: verbose ? (line) => console.log(line) : undefined,
      env: { LOG_LEVEL: verbose ? "info" : "warn" },
    });
  try {
    mesh = await start((await portsFree(meshPorts())) ? undefined : await freePortBase());
  } catch (error) {
    // Another process took a port between the check and the bind: once more on a fresh block.
    if (!String((error as Error).message).includes("EADDRINUSE")) throw error;
    mesh = await start(await freePortBase());
  }
  await waitForReady(mesh.gatewayUrl);
  console.log(`Mesh ready in ${seconds(meshStarted)} at ${mesh.gatewayUrl}\n`);

  const token = await signDevToken({
    client: "demo",
    sub: "demo-user",
    roles: ["analyst"],
    secret: mesh.jwtSecret,
    expiresIn: "1h",
  });
  const client = createGatewayClient({ url: mesh.gatewayUrl, token });
  const flowStarted = Date.now();
  const created = await client.createFlow({ inventory: INVENTORY, connections: CONNECTIONS, name: "Demo estate" });
  console.log(
    `Uploaded ${INVENTORY} + ${CONNECTIONS}: flow ${created.id}, ${created.raw_record_count.toLocaleString("en-US")} rows, ` +
      `${created.connection_count.toLocaleString("en-US")} connections (${seconds(flowStarted)})`,
  );
  const { flow, approved } = await watchFlow(client, created.id, { approve: true });
  if (flow.status !== "completed") {
    throw new Error(`the flow ended ${flow.status}${flow.status_message ? `: ${flow.status_message}` : ""}`);
  }
  if (!approved) {
    const review = await client.getMappings(flow.id);
    console.log(`  No review was needed: every mapping was at or above ${review.confidence_threshold} confidence:`);
    console.log(formatMappings(review.mappings));
  }
  console.log(
    `Flow completed in ${seconds(flowStarted)} (upload to completed${approved ? ", review answered" : ""})\n`,
  );
  console.log(formatReport(await client.report(flow.id)));
  console.log(
    `\nThe flow stays stored: with \`npm start\` running, \`npm run cli -- report ${flow.id}\` prints this again.`,
  );
  console.log(`Demo wall time: ${seconds(wallStarted)}`);
  // The demo's mesh stops now; `npm start` serves the same stored flow on the default port.
  console.log(`\nOpen it in the web console (with \`npm start\` running): ${consoleUrl(mesh.gatewayUrl, flow.id)}`);
} catch (error) {
  process.exitCode = 1;
  console.error(`\nDemo failed: ${(error as Error).message}`);
  const recent = Object.values(mesh?.services ?? {}).flatMap((service) => service?.recentLines.slice(-5) ?? []);
  if (recent.length && !verbose) console.error(`Last service log lines:\n${recent.join("\n")}`);
} finally {
  await stopMesh();
}

/** The console's page of one flow, on the default gateway port `npm start` uses. */
function consoleUrl(gatewayUrl: string, flowId: string): string {
  const url = new URL(gatewayUrl);
  url.port = String(meshPorts().gatewayHttp);
  return `${url.origin}/flows/${flowId}`;
}

function portsFree(ports: ReturnType<typeof meshPorts>): Promise<boolean> {
  const all = [ports.gatewayHttp, ...Object.values(ports.grpc), ...Object.values(ports.metrics)];
  return Promise.all(
    all.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const server = createServer();
          server.once("error", () => resolve(false));
          server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
        }),
    ),
  ).then((free) => free.every(Boolean));
}
