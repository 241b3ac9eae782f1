/**
 * Prints the gzip size of the JavaScript index.html loads at start (its module script and the
 * chunks it preloads) and fails the build above the budget, so a heavy import is caught here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 300 * 1024;
const dist = join(import.meta.dirname, "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)].map(
  (match) => match[1] as string,
);
let total = 0;
for (const file of scripts) {
  const gzip = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += gzip;
  console.log(`  ${file}: ${(gzip / 1024).toFixed(1)} kB gzip`);
}
console.log(`[console] initial JavaScript: ${(total / 1024).toFixed(1)} kB gzip (budget ${BUDGET_BYTES / 1024} kB)`);
if (total > BUDGET_BYTES) {
  console.error("[console] over the initial JavaScript budget");
  process.exit(1);
}
