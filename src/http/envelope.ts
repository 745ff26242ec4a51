import { isStorageError } from "../db/client";
import { ApiError, ERRORS, type ErrorBody } from "../errors";

/** The Cloudflare API envelope: `{ success, errors, messages, result, result_info? }`. */
export interface ResultInfo {
  cursor: string | null;
  count: number;
  [extra: string]: unknown;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function ok(
  result: unknown,
  init?: { status?: number; resultInfo?: ResultInfo; messages?: string[] },
) {
  const body: Record<string, unknown> = { success: true, errors: [], messages: init?.messages ?? [], result };
  if (init?.resultInfo) body.result_info = init.resultInfo;
  return new Response(JSON.stringify(body), { status: init?.status ?? 200, headers: JSON_HEADERS });
}

export function failure(status: number, errors: ErrorBody[], headers?: HeadersInit) {
  const h = new Headers(JSON_HEADERS);
  if (headers) new Headers(headers).forEach((v, k) => h.set(k, v));
  return new Response(JSON.stringify({ success: false, errors, messages: [], result: null }), {
    status,
    headers: h,
  });
}

/**
 * Answers any thrown value: ApiErrors as they are, a failed D1 query as a logged 503, anything else
 * as a logged, generic 500.
 */
export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    const errors = "issues" in err ? (err.issues as ErrorBody[]) : [err.body];
    return failure(err.status, errors, err.headers);
  }
  if (isStorageError(err)) {
    console.error("D1 query failed", err);
    return failure(ERRORS.storage_unavailable.status, [
      { code: ERRORS.storage_unavailable.code, message: "Storage is temporarily unavailable" },
    ]);
  }
  console.error("unhandled error", err);
  return failure(500, [{ code: ERRORS.internal_error.code, message: "Internal error" }]);
}
