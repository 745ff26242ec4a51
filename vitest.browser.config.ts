import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * Browser tests (e2e/): Debian's Chromium, driven by playwright-core from Node, against a gateway
 * the run starts with `wrangler dev` (e2e/gateway.ts). Files run one after another: they share
 * that gateway and its D1.
 *
 * A developer's machine without Chromium skips them with a notice (`npm test` still passes there);
 * CI (CI=true) never skips: `.ci/run` installs Chromium, and a missing one fails the run.
 */
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const skip = !existsSync(chromium) && !process.env.CI;
if (skip) {
  console.warn(
    `Browser tests skipped: no Chromium at ${chromium}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
  );
}

export default defineConfig({
  test: {
    include: skip ? [] : ["e2e/**/*.browser.test.ts"],
    passWithNoTests: skip,
    globalSetup: skip ? [] : ["./e2e/gateway.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
