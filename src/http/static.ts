import { apiError } from "../errors";

/** Security headers of every page the gateway serves itself (dashboard, demo page). */
const PAGE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * A file from the Workers static assets (assets/, `html_handling = "none"`: a file answers at its
 * own path only), answered with the page's Content-Security-Policy and security headers. The
 * request's method and conditional headers are passed on, so HEAD and 304s work. Null when there
 * is no such file.
 */
export async function staticFile(
  request: Request,
  env: Env,
  assetPath: string,
  csp: string,
): Promise<Response | null> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw apiError("method_not_allowed", "Allowed: GET, HEAD", { allow: "GET, HEAD" });
  }
  const res = await env.ASSETS.fetch(new Request(new URL(assetPath, request.url), request));
  if (res.status === 404) return null;
  const out = new Response(res.body, res);
  out.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(PAGE_HEADERS)) out.headers.set(name, value);
  // HTML is revalidated every time, so a deploy reaches open tabs at their next load.
  if (/^text\/html/.test(out.headers.get("content-type") ?? "")) out.headers.set("cache-control", "no-cache");
  return out;
}
