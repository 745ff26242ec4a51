import { staticFile } from "../http/static";

/**
 * The newcomer's page at `/` (DEMO_ORIGIN=true only; in production `/` is a legacy path like any
 * other): `<img>` tags with legacy URLs of the three demo sources, and a link to the dashboard.
 * The page is static (assets/_demo/index.html, no script) and viewing it writes nothing: the
 * assets it shows as "pre-mapped" were mapped by `npm start` through the admin API
 * (scripts/demo-premap.mjs); everything else on it is migrated lazily by the browser's first request.
 */
const PAGE = "/_demo/index.html";

/** The demo page may show images from anywhere (a temporary redirect may point at any origin). */
const DEMO_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export async function serveDemoPage(request: Request, env: Env): Promise<Response> {
  return serveDemoFile(request, env, PAGE);
}

/** The page and the other static files of the demo (its stylesheet, the sample image). */
export async function serveDemoFile(request: Request, env: Env, path: string): Promise<Response> {
  return (await staticFile(request, env, path, DEMO_CSP)) ?? new Response("Not Found", { status: 404 });
}
