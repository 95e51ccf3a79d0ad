import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share OVS, network namespaces and CRIU: run files one at a time.
    fileParallelism: false,
  },
});
