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
      const path = new URL(request.url).pathname;
      if (path.charCodeAt(1) === 95 /* "_" */) {
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
