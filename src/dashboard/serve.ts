import { type Config, config } from "../config";
import { apiError } from "../errors";
import { staticFile } from "../http/static";

/**
 * The operator dashboard: static files (assets/_admin/ui/, built from ui/ by `npm run build:ui`)
 * served by the Worker with a strict CSP. The page holds no data, so it loads without auth; it
 * asks for a token and calls the JSON admin API with it.
 */
export const DASHBOARD_PATH = "/_admin/ui";
const INDEX = "/_admin/ui/index.html";
const FILE = /^\/_admin\/ui\/[A-Za-z0-9_-]+\.[a-z0-9]+$/;

export const isDashboardPath = (path: string) =>
  path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);

/**
 * Scripts and styles from the gateway only (no inline code, no other host); the API on the same
 * origin; images from the gateway (the local Images mock) and the delivery base's origin, where
 * the resolve box's `Location` points. Forms never submit (the token must not end up in a URL).
 */
export function dashboardCsp(cfg: Config): string {
  let delivery = "";
  try {
    if (cfg.deliveryBaseUrl) delivery = ` ${new URL(cfg.deliveryBaseUrl).origin}`;
  } catch {
    // Not a URL: redirects would not work either; the dashboard just shows no images.
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self'${delivery}`,
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function serveDashboard(request: Request, env: Env, path: string): Promise<Response> {
  if (path === `${DASHBOARD_PATH}/`) {
    return new Response(null, { status: 308, headers: { location: DASHBOARD_PATH } });
  }
  // Plain file names only: no escapes or dots that could reach files outside the dashboard's folder.
  if (path !== DASHBOARD_PATH && !FILE.test(path)) throw apiError("route_not_found", "No such admin route");
  const asset = path === DASHBOARD_PATH ? INDEX : path;
  const res = await staticFile(request, env, asset, dashboardCsp(config(env)));
  if (res) return res;
  if (asset === INDEX) {
    throw apiError("dashboard_not_built", "The dashboard is not built: run `npm run build:ui`");
  }
  throw apiError("route_not_found", "No such admin route");
}
