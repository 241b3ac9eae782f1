import { defineConfig } from "vitest/config";

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
  },
});
