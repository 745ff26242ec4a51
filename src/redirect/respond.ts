import { type ApiError, apiError } from "../errors";
import { failure } from "../http/envelope";
import { applyCors, type Cors } from "./cors";

/**
 * Responses of the end-user path. Bodies are small JSON envelopes, never internals. Every redirect
 * and every error carries the CORS headers of the source's policy (./cors).
 */

export function redirect(status: number, location: string, cacheControl: string, cors: Cors): Response {
  const headers = new Headers({ location, "cache-control": cacheControl });
  applyCors(headers, cors);
  return new Response(null, { status, headers });
}

/** While an asset is not (yet) in Images, users get the original: temporary, never cached. */
export function temporaryOriginRedirect(originUrl: string, cors: Cors): Response {
  return redirect(302, originUrl, "no-store", cors);
}

export function endUserError(err: ApiError, head: boolean, cors: Cors): Response {
  const res = failure(err.status, [err.body], err.headers);
  applyCors(res.headers, cors);
  return head ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

export function methodNotAllowed(cors: Cors): Response {
  return endUserError(
    apiError("method_not_allowed", "Only GET and HEAD are supported", { allow: "GET, HEAD, OPTIONS" }),
    false,
    cors,
  );
}
