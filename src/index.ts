import { adminRouter } from "./admin/router";
import { healthRoute } from "./admin/health";
import { config } from "./config";
import { isDashboardPath, serveDashboard } from "./dashboard/serve";
import { DEMO_ORIGIN_PATH, serveDemoOrigin } from "./demo/origin";
import { serveDemoFile, serveDemoPage } from "./demo/page";
import { errorResponse } from "./http/envelope";
import { isTooLong, MAX_REQUEST_URL_BYTES } from "./http/url-limit";
import { apiError } from "./errors";
import { handleHook } from "./hooks/handler";
import { consumeJobs } from "./jobs/consumer";
import { answerFromMemory, handleLegacyRequest } from "./redirect/handler";
import { corsFor } from "./redirect/cors";
import { endUserError } from "./redirect/respond";
import { countingEnv, type RequestLog, startLog, writeLog } from "./observe/log";
import { runUpkeep } from "./upkeep/scheduled";

/**
 * The entry composes; it decides nothing. A legacy URL this isolate already answered is answered
 * again from memory, synchronously. `/_health`, `/_admin` and `/_hooks` are the gateway's own paths
 * (`/_admin/ui`, the dashboard, loads without auth: it holds no data); `/` (the demo page) and
 * `/_demo/` exist only with DEMO_ORIGIN=true (local quick start); everything else is a legacy
 * image URL. `queue` runs jobs (src/jobs/); `scheduled` runs the upkeep tasks.
 */
export default {
  fetch(request, env, ctx) {
    const url = request.url; // read once: each read of the property copies the URL out of the runtime
    if (isTooLong(url)) return uriTooLong(request);
    return answerFromMemory(request, url, env, ctx) ?? route(request, env, ctx);
  },
  async queue(batch, env) {
    await consumeJobs(batch, env);
  },
  async scheduled(controller, env) {
    await runUpkeep(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;

/** Everything but a hot answer: dispatched, then logged as one JSON line (observe/log.ts). */
async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const started = Date.now();
  const log = startLog(request);
  let response: Response;
  try {
    response = await dispatch(request, countingEnv(env, log), ctx, log);
  } catch (err) {
    response = errorResponse(err);
  }
  await writeLog(log, response, started);
  return response;
}

async function dispatch(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  log: RequestLog,
): Promise<Response> {
  if (isGatewayPath(request.url)) {
    const path = new URL(request.url).pathname;
    if (path === "/_health") {
      log.action = "health";
      return healthRoute(request, env);
    }
    if (isDashboardPath(path)) {
      log.action = "dashboard";
      return serveDashboard(request, env, path);
    }
    if (path === "/_admin" || path.startsWith("/_admin/")) {
      log.action = "admin";
      log.path = path;
      return adminRouter.fetch(request, env, ctx);
    }
    if (path === "/_hooks" || path.startsWith("/_hooks/")) {
      log.action = "hook";
      log.path = path;
      return handleHook(request, env, ctx);
    }
    if (path.startsWith("/_demo/") && config(env).demoOrigin) {
      log.action = "demo";
      return path.startsWith(DEMO_ORIGIN_PATH)
        ? serveDemoOrigin(request, env, path)
        : serveDemoFile(request, env, path);
    }
  } else if (config(env).demoOrigin && isDemoPage(request)) {
    log.action = "demo";
    return serveDemoPage(request, env);
  }
  return handleLegacyRequest(request, env, ctx, log);
}

function uriTooLong(request: Request): Response {
  const err = apiError(
    "uri_too_long",
    `The request URL (path and query) is longer than ${MAX_REQUEST_URL_BYTES} bytes`,
  );
  return endUserError(err, request.method === "HEAD", corsFor(null, request));
}

function isDemoPage(request: Request): boolean {
  return (request.method === "GET" || request.method === "HEAD") && new URL(request.url).pathname === "/";
}

/** Whether the path starts with `/_` (the gateway's own paths), without parsing the whole URL. */
function isGatewayPath(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash !== -1 && url.charCodeAt(slash + 1) === 95; /* "_" */
}
