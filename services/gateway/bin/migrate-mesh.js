#!/usr/bin/env node
// Launcher for the `migrate-mesh` CLI (scripts/cli.ts): Node 24 runs the TypeScript directly.
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(`migrate-mesh needs Node 24 or newer (this is ${process.version}); use \`npm run cli -- ...\``);
  process.exit(1);
}
await import(new URL("../../../scripts/cli.ts", import.meta.url).href);
