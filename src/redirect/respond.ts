import { type ApiError, apiError } from "../errors";
import { failure } from "../http/envelope";

/** Responses of the end-user path. Bodies are small JSON envelopes, never internals. */

export function redirect(status: number, location: string, cacheControl: string): Response {
  return new Response(null, { status, headers: { location, "cache-control": cacheControl } });
}

/** While an asset is not (yet) in Images, users get the original: temporary, never cached. */
export function temporaryOriginRedirect(originUrl: string): Response {
  return redirect(302, originUrl, "no-store");
}

export function endUserError(err: ApiError, head: boolean): Response {
  const res = failure(err.status, [err.body], err.headers);
  return head ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

export function methodNotAllowed(head: boolean): Response {
  return endUserError(
    apiError("method_not_allowed", "Only GET and HEAD are supported", { allow: "GET, HEAD" }),
    head,
  );
}
