import { Router } from "itty-router";
import { config } from "../config";
import { apiError } from "../errors";
import { authorize } from "../http/auth";
import { errorResponse } from "../http/envelope";
import { createMappingRoute } from "./mappings/create";
import { deleteMappingRoute } from "./mappings/delete";
import { getMappingRoute } from "./mappings/get";
import { importMappingsRoute } from "./mappings/import";
import { listMappingsRoute } from "./mappings/list";
import { retryMappingRoute } from "./mappings/retry";
import { updateMappingRoute } from "./mappings/update";
import { IMAGES_PREFIXES, IMAGES_ROUTES } from "./images/routes";
import { ingestRoute } from "./ingest";
import { refreshRoute } from "./refresh";
import { resolveRoute } from "./resolve";
import { statsRoute } from "./stats";
import { whoamiRoute } from "./whoami";
import { createSourceRoute } from "./sources/create";
import { deleteSourceRoute } from "./sources/delete";
import { getSourceRoute } from "./sources/get";
import { listSourcesRoute } from "./sources/list";
import { updateSourceRoute } from "./sources/update";
import { type Methods, registerRoutes } from "./register";
import type { AdminArgs, AdminRequest } from "./types";

/** Every admin route, registered in one place. */
const ROUTES: Record<string, Methods> = {
  "/sources": { GET: listSourcesRoute, POST: createSourceRoute },
  "/sources/:id": { GET: getSourceRoute, PATCH: updateSourceRoute, DELETE: deleteSourceRoute },
  "/mappings": { GET: listMappingsRoute, POST: createMappingRoute },
  "/mappings/import": { POST: importMappingsRoute },
  "/mappings/:id": { GET: getMappingRoute, PATCH: updateMappingRoute, DELETE: deleteMappingRoute },
  "/mappings/:id/retry": { POST: retryMappingRoute },
  "/resolve": { POST: resolveRoute },
  "/ingest": { POST: ingestRoute },
  "/refresh": { POST: refreshRoute },
  "/stats": { GET: statsRoute },
  "/whoami": { GET: whoamiRoute },
};

export function buildAdminRouter(base = "/_admin") {
  const router = Router<AdminRequest, AdminArgs>({
    base,
    before: [
      async (req, env) => {
        req.role = await authorize(req, config(env));
      },
    ],
    catch: errorResponse,
  });
  registerRoutes(router, ROUTES);
  // Images in the Cloudflare REST shapes, under our path and under the Cloudflare API's (for its SDK).
  for (const prefix of IMAGES_PREFIXES) registerRoutes(router, IMAGES_ROUTES, prefix);
  router.all("*", () => {
    throw apiError("route_not_found", "No such admin route");
  });
  return router;
}

export const adminRouter = buildAdminRouter();
