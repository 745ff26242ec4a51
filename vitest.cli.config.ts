import { defineConfig } from "vitest/config";

// The operator CLI's tests: in Node (not workerd), against a real local gateway (the bundled Worker
// in Miniflare, started once by the global setup) and local servers that answer as the vendors' APIs.
export default defineConfig({
  test: {
    include: ["cli/test/**/*.test.ts"],
    globalSetup: ["cli/test/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // One gateway for every file: files run one after another so their jobs do not compete.
    fileParallelism: false,
  },
});
