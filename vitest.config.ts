import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * `npm test` sets MESH_COVERAGE=1 and a folder of its own for the run, MESH_COVERAGE_DIR
 * (scripts/test.sh; the default is coverage/). Most of the code runs in the service processes the
 * integration tests spawn, not in the test workers, so besides the in-process V8 coverage of
 * @vitest/coverage-v8, every process a test spawns inherits NODE_V8_COVERAGE through `test.env`
 * (the spawners pass `process.env` on) and writes its raw V8 coverage there on exit;
 * scripts/coverage-report.ts merges both. Vitest's own `autoAttachSubprocess` is not used: it
 * merges the raw ranges of a file run by Node's type stripping with those of the same file as
 * Vite transformed it in-process, which misplaces the counts (checked with vitest 5.1.0).
 */
const coverage = process.env.MESH_COVERAGE === "1";
const reportsDirectory = resolve(import.meta.dirname, process.env.MESH_COVERAGE_DIR ?? "coverage");

export default defineConfig({
  test: {
    include: [
      "libs/*/src/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    globalSetup: ["./vitest.global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files start real service processes; two at a time fits this 2-core machine.
    maxWorkers: 2,
    pool: "forks",
    env: coverage ? { NODE_V8_COVERAGE: resolve(reportsDirectory, ".v8-children") } : {},
    coverage: {
      enabled: coverage,
      provider: "v8",
      include: ["libs/*/src/**/*.ts", "services/*/src/**/*.ts"],
      exclude: [
        "**/*.test.ts",
        "**/*.d.ts",
        "**/testing/**",
        "**/fixtures/**",
        "**/gen/**",
        "services/gateway/console/**",
      ],
      reportsDirectory,
      // Only the in-process half; scripts/coverage-report.ts prints the merged figures.
      reporter: [["json", { file: "vitest-final.json" }]],
      reportOnFailure: true,
    },
  },
});
