import { adminRouter } from "./admin/router";
import { healthRoute } from "./admin/health";
import { config } from "./config";
import { DEMO_ORIGIN_PATH, serveDemoOrigin } from "./demo/origin";
import { errorResponse } from "./http/envelope";
import { handleHook } from "./hooks/handler";
import { answerFromMemory, handleLegacyRequest } from "./redirect/handler";
import { runUpkeep } from "./upkeep/scheduled";

/**
 * The entry composes; it decides nothing. A legacy URL this isolate already answered is answered
 * again from memory, synchronously. `/_health`, `/_admin` and `/_hooks` are the gateway's own paths,
 * `/_demo/origin` exists only with DEMO_ORIGIN=true (local quick start), everything else is a
 * legacy image URL.
 */
export default {
  fetch(request, env, ctx) {
    return answerFromMemory(request, env, ctx) ?? route(request, env, ctx);
  },
  async scheduled(controller, env) {
    await runUpkeep(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    if (isGatewayPath(request.url)) {
      const path = new URL(request.url).pathname;
      if (path === "/_health") return await healthRoute(request, env);
      if (path === "/_admin" || path.startsWith("/_admin/"))
        return await adminRouter.fetch(request, env, ctx);
      if (path === "/_hooks" || path.startsWith("/_hooks/")) return await handleHook(request, env, ctx);
      if (path.startsWith(DEMO_ORIGIN_PATH) && config(env).demoOrigin)
        return await serveDemoOrigin(request, env, path);
    }
    return await handleLegacyRequest(request, env, ctx);
  } catch (err) {
    return errorResponse(err);
  }
}

/** Whether the path starts with `/_` (the gateway's own paths), without parsing the whole URL. */
function isGatewayPath(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash !== -1 && url.charCodeAt(slash + 1) === 95; /* "_" */
}
