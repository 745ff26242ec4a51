import type { Source } from "../sources/types";

/**
 * CORS as the old CDNs do it (SPEC): Cloudinary and imgix serve images with
 * `Access-Control-Allow-Origin: *`, and pages that draw them on a canvas or `fetch()` them need CORS
 * headers on every hop, the redirect included. A source's `options.cors` narrows it:
 * - `"*"` (default): `Access-Control-Allow-Origin: *`, the same answer for everyone;
 * - a list of origins: the request's `Origin` echoed when listed, with `Vary: Origin` (always, so a
 *   cache never hands one origin's answer to another);
 * - `false`: no CORS headers at all.
 * `Timing-Allow-Origin: *` goes with every policy but `false`.
 */
export type CorsPolicy = "*" | false | readonly string[];

/** The policy of `source` (the default, `*`, when no source matched). */
export function corsPolicy(source: Source | null): CorsPolicy {
  const cors = source?.options.cors;
  return cors === false || Array.isArray(cors) ? cors : "*";
}

/** What a response needs to know to carry CORS headers: the policy and the request's `Origin`. */
export interface Cors {
  policy: CorsPolicy;
  origin: string | null;
}

export function corsFor(source: Source | null, request: Request): Cors {
  return { policy: corsPolicy(source), origin: request.headers.get("origin") };
}

/** Sets the CORS headers of `cors` on `headers`. */
export function applyCors(headers: Headers, cors: Cors): void {
  const { policy, origin } = cors;
  if (policy === false) return;
  headers.set("timing-allow-origin", "*");
  if (policy === "*") {
    headers.set("access-control-allow-origin", "*");
    return;
  }
  headers.append("vary", "Origin");
  if (origin !== null && policy.includes(origin)) headers.set("access-control-allow-origin", origin);
}

/**
 * The answer to an `OPTIONS` request on a legacy URL: 204 with the methods the path answers and,
 * for a preflight, what the browser asked to send (only simple reads are served, so any request
 * header may accompany them), cached by the browser for a day.
 */
export function preflight(request: Request, cors: Cors): Response {
  const headers = new Headers({ allow: "GET, HEAD, OPTIONS" });
  applyCors(headers, cors);
  if (headers.has("access-control-allow-origin")) {
    headers.set("access-control-allow-methods", "GET, HEAD, OPTIONS");
    const asked = request.headers.get("access-control-request-headers");
    if (asked) headers.set("access-control-allow-headers", asked);
    headers.set("access-control-max-age", "86400");
  }
  return new Response(null, { status: 204, headers });
}
