import { execFileSync } from "node:child_process";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // The dashboard is served from assets/_admin/ui/, which is built from ui/ (git-ignored).
  execFileSync(process.execPath, ["scripts/build-ui.mjs"], { stdio: "inherit" });
  // The same SQL files wrangler applies locally and remotely.
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: "test-admin-token",
            ADMIN_READ_TOKEN: "test-read-token",
            IMAGES_SIGNING_KEY: "test-signing-key",
            DELIVERY_BASE_URL: "https://imagedelivery.net/test-hash",
            // Job items retry after 1 s, 2 s (5 s, 10 s in production) so retry tests stay short.
            JOB_RETRY_BASE: "1",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/origin-stub.ts"],
      include: ["test/**/*.test.ts"],
      // The Worker's one-JSON-line-per-request logs (src/observe/log.ts) would drown the report.
      onConsoleLog: (line: string) => !line.startsWith('{"id":'),
    },
  };
});
