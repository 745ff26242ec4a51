import { defineConfig } from "vitest/config";

/**
 * Browser tests (e2e/): Debian's Chromium, driven by playwright-core from Node, against a gateway
 * the run starts with `wrangler dev` (e2e/gateway.ts). Files run one after another: they share
 * that gateway and its D1.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.browser.test.ts"],
    globalSetup: ["./e2e/gateway.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
