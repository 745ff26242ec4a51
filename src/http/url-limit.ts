/**
 * SPEC "Limits that keep the public path safe": a request URL whose path and query exceed 8 KiB is
 * answered 414 before anything reads it (no source matching, no parsing, no cache lookup).
 */
export const MAX_REQUEST_URL_BYTES = 8192;

/**
 * Length of the path and query of an absolute request URL, found without parsing it. The runtime
 * hands Workers a serialised URL (non-ASCII percent-encoded), so characters are bytes.
 */
export function pathAndQueryLength(url: string): number {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? 0 : url.length - start;
}

/** One comparison for every ordinary URL; the exact measure only for long ones. */
export const isTooLong = (url: string) =>
  url.length > MAX_REQUEST_URL_BYTES && pathAndQueryLength(url) > MAX_REQUEST_URL_BYTES;
