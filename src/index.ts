import { adminRouter } from "./admin/router";
import { healthRoute } from "./admin/health";
import { config } from "./config";
import { isDashboardPath, serveDashboard } from "./dashboard/serve";
import { DEMO_ORIGIN_PATH, serveDemoOrigin } from "./demo/origin";
import { serveDemoFile, serveDemoPage } from "./demo/page";
import { errorResponse } from "./http/envelope";
import { handleHook } from "./hooks/handler";
import { answerFromMemory, handleLegacyRequest } from "./redirect/handler";
import { runUpkeep } from "./upkeep/scheduled";

/**
 * The entry composes; it decides nothing. A legacy URL this isolate already answered is answered
 * again from memory, synchronously. `/_health`, `/_admin` and `/_hooks` are the gateway's own paths
 * (`/_admin/ui`, the dashboard, loads without auth: it holds no data); `/` (the demo page) and
 * `/_demo/` exist only with DEMO_ORIGIN=true (local quick start); everything else is a legacy
 * image URL.
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
      if (isDashboardPath(path)) return await serveDashboard(request, env, path);
      if (path === "/_admin" || path.startsWith("/_admin/"))
        return await adminRouter.fetch(request, env, ctx);
      if (path === "/_hooks" || path.startsWith("/_hooks/")) return await handleHook(request, env, ctx);
      if (path.startsWith("/_demo/") && config(env).demoOrigin) {
        return path.startsWith(DEMO_ORIGIN_PATH)
          ? await serveDemoOrigin(request, env, path)
          : await serveDemoFile(request, env, path);
      }
    } else if (config(env).demoOrigin && isDemoPage(request)) {
      return await serveDemoPage(request, env);
    }
    return await handleLegacyRequest(request, env, ctx);
  } catch (err) {
    return errorResponse(err);
  }
}

function isDemoPage(request: Request): boolean {
  return (request.method === "GET" || request.method === "HEAD") && new URL(request.url).pathname === "/";
}

/** Whether the path starts with `/_` (the gateway's own paths), without parsing the whole URL. */
function isGatewayPath(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash !== -1 && url.charCodeAt(slash + 1) === 95; /* "_" */
}
