/**
 * `npm start`: starts the five services as separate processes with prefixed logs, waits until
 * the gateway is ready, prints its URL and a development token. Ctrl-C stops them all cleanly.
 */
import { startMesh } from "@migrate/launcher";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";
import { waitForReady } from "./lib/wait-for-ready.ts";

const mesh = await startMesh({ onLine: (line) => console.log(line) });
await waitForReady(mesh.gatewayUrl);
const token = await signDevToken({
  client: "demo",
  sub: "dev-user",
  roles: ["admin"],
  secret: mesh.jwtSecret,
  expiresIn: "8h",
});
console.log(`
Migrate Mesh is up.
  console:   ${mesh.gatewayUrl}/  (development sign-in, or paste the token below)
  gateway:   ${mesh.gatewayUrl}
  token:     ${token}
  try:       curl -H "Authorization: Bearer $TOKEN" -H "content-type: text/csv" --data-binary @samples/inventory.csv ${mesh.gatewayUrl}/v1/flows
Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("stopping the mesh...");
  await mesh.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
