import { adminRouter } from "./admin/router";
import { healthRoute } from "./admin/health";
import { config } from "./config";
import { serveDemoOrigin } from "./demo/origin";
import { errorResponse } from "./http/envelope";
import { handleLegacyRequest } from "./redirect/handler";

/**
 * The entry composes; it decides nothing. `/_health` and `/_admin` are the gateway's own paths,
 * `/_demo/origin` exists only with DEMO_ORIGIN=true (local quick start), everything else is a
 * legacy image URL.
 */
export default {
  async fetch(request, env, ctx) {
    try {
      if (isGatewayPath(request.url)) {
        const path = new URL(request.url).pathname;
        if (path === "/_health") return await healthRoute(request, env);
        if (path === "/_admin" || path.startsWith("/_admin/"))
          return await adminRouter.fetch(request, env, ctx);
        if (path.startsWith("/_demo/origin/") && config(env).demoOrigin) return serveDemoOrigin(path);
      }
      return await handleLegacyRequest(request, env, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  },
} satisfies ExportedHandler<Env>;

/** Whether the path starts with `/_` (the gateway's own paths), without parsing the whole URL. */
function isGatewayPath(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash !== -1 && url.charCodeAt(slash + 1) === 95; /* "_" */
}
