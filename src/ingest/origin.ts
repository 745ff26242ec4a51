import { MAX_IMAGE_BYTES } from "../images/limits";
import type { FailureReason } from "./failures";

/**
 * Fetching an original from a legacy origin. Only the configured origin's scheme and host are ever
 * contacted — also across redirects — so no crafted path turns the gateway into an open proxy.
 */
const MAX_REDIRECTS = 3;

export type OriginFailure = {
  outcome: "missing" | "failed";
  reason: Extract<
    FailureReason,
    | "origin_4xx"
    | "origin_5xx"
    | "timeout"
    | "network_error"
    | "too_large"
    | "off_origin"
    | "bad_redirect"
    | "too_many_redirects"
  >;
  message: string;
};
export type OriginResult =
  | {
      ok: true;
      body: ReadableStream<Uint8Array>;
      length: number | null;
      /** The origin's validators, sent back on the next refresh as If-None-Match / If-Modified-Since. */
      etag: string | null;
      lastModified: string | null;
    }
  | ({ ok: false } & OriginFailure);

/** Validators of the copy we hold, for a conditional fetch (refresh). */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}
/** The origin answered 304 to a conditional fetch: the copy we hold is current. */
export type NotModified = { ok: false; outcome: "not-modified" };

/** True when `url` is on the origin's scheme and host (port included). */
export function onOrigin(url: URL, origin: URL): boolean {
  return url.protocol === origin.protocol && url.host === origin.host;
}

export function fetchOriginal(originUrl: string, origin: string, signal: AbortSignal): Promise<OriginResult>;
export function fetchOriginal(
  originUrl: string,
  origin: string,
  signal: AbortSignal,
  validators: Validators,
): Promise<OriginResult | NotModified>;
export async function fetchOriginal(
  originUrl: string,
  origin: string,
  signal: AbortSignal,
  validators?: Validators,
): Promise<OriginResult | NotModified> {
  const base = new URL(origin);
  const headers: Record<string, string> = {
    accept: "image/avif,image/webp,image/*,*/*;q=0.8",
    "user-agent": "legacy-image-gateway",
  };
  if (validators?.etag) headers["if-none-match"] = validators.etag;
  if (validators?.lastModified) headers["if-modified-since"] = validators.lastModified;
  const conditional = "if-none-match" in headers || "if-modified-since" in headers;
  let url = new URL(originUrl);
  for (let hop = 0; ; hop++) {
    if (!onOrigin(url, base)) {
      return {
        ok: false,
        outcome: "failed",
        reason: "off_origin",
        message: `refused to fetch ${url.host}: not the source's origin`,
      };
    }
    let res: Response;
    try {
      res = await fetch(url.toString(), { redirect: "manual", signal, headers });
    } catch (err) {
      if (signal.aborted) return timeout();
      return {
        ok: false,
        outcome: "failed",
        reason: "network_error",
        message: `origin unreachable: ${errorText(err)}`,
      };
    }
    if (res.status === 304 && conditional) {
      await res.body?.cancel();
      return { ok: false, outcome: "not-modified" };
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const next = redirectTarget(res.headers.get("location"), url);
      if (!next) {
        return {
          ok: false,
          outcome: "failed",
          reason: "bad_redirect",
          message: `origin answered ${res.status} without a valid Location`,
        };
      }
      if (hop >= MAX_REDIRECTS) {
        return {
          ok: false,
          outcome: "failed",
          reason: "too_many_redirects",
          message: `origin redirected more than ${MAX_REDIRECTS} times`,
        };
      }
      url = next;
      continue;
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return {
        ok: false,
        outcome: "missing",
        reason: "origin_4xx",
        message: `origin answered ${res.status}`,
      };
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return {
        ok: false,
        outcome: "failed",
        reason: res.status >= 500 ? "origin_5xx" : "origin_4xx",
        message: `origin answered ${res.status}`,
      };
    }
    const declared = res.headers.get("content-length");
    const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
    if (length !== null && length > MAX_IMAGE_BYTES) {
      await res.body.cancel();
      return {
        ok: false,
        outcome: "failed",
        reason: "too_large",
        message: `the original is ${length} bytes, more than ${MAX_IMAGE_BYTES}`,
      };
    }
    return {
      ok: true,
      body: res.body,
      length,
      etag: res.headers.get("etag"),
      lastModified: res.headers.get("last-modified"),
    };
  }
}

/** Where a redirect points, or null when its Location is missing or not a URL (`http://a b/`). */
function redirectTarget(location: string | null, base: URL): URL | null {
  if (!location) return null;
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

/** A validator worth storing: present and of a sane length (a header is the origin's to choose). */
export const validator = (v: string | null): string | null => (v && v.length <= 512 ? v : null);

export function timeout(): { ok: false } & OriginFailure {
  return {
    ok: false,
    outcome: "failed",
    reason: "timeout",
    message: "the origin did not deliver the original in time",
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
