/**
 * Prints the suite's closing line, "N passed, N failed", from vitest's JSON report; the static
 * checks (buf lint, biome, tsc, coverage) count as one test each, unless `--no-checks` says they did
 * not run (a named suite). Exits 1 when anything failed or no test ran.
 */
import { readFileSync } from "node:fs";

const [reportPath = ".vitest-report.json", failedChecksArg = "0", checksRunArg = "3"] = process.argv.slice(2);
const noChecks = failedChecksArg === "--no-checks";
const checksFailed = noChecks ? 0 : Number(failedChecksArg);
const checksPassed = noChecks ? 0 : Number(checksRunArg) - checksFailed;
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{ status: string; assertionResults: unknown[] }>;
  };
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A file that failed to load, or whose set-up failed (its tests then report as skipped), has
  // no failed assertion of its own: count the file as one failure, not as nothing.
  failed += report.testResults.filter(
    (file) =>
      file.status === "failed" &&
      !file.assertionResults.some((assertion) => (assertion as { status?: string }).status === "failed"),
  ).length;
} catch {
  failed += 1;
  console.error(`[test] no vitest report at ${reportPath}`);
}
passed += checksPassed;
failed += checksFailed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === checksPassed ? 1 : 0);
