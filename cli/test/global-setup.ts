import type { TestProject } from "vitest/node";
// @ts-expect-error: a plain .mjs module shared with the benchmark, without type declarations
import { startGateway } from "../../scripts/local-gateway.mjs";

export const TOKEN = "cli-test-token";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    gatewayToken: string;
  }
}

/** One real local gateway for the CLI tests: the bundled Worker with every binding, in Miniflare. */
export default async function setup(project: TestProject) {
  const gateway = await startGateway({
    vars: {
      ADMIN_TOKEN: TOKEN,
      JOB_RETRY_BASE: "1",
      DELIVERY_BASE_URL: "https://imagedelivery.net/cli-test",
    },
  });
  project.provide("gatewayUrl", gateway.url);
  project.provide("gatewayToken", TOKEN);
  return () => gateway.close();
}
