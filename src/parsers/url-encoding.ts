/**
 * Percent-decoding of legacy paths and per-segment re-encoding of keys and image ids. Pure,
 * synchronous, never throws.
 */

/**
 * Percent-decodes `raw` exactly once. Returns `null` when the escapes are malformed (`%zz`, a
 * truncated `%4`, or bytes that are not UTF-8 such as `%ff`); it never throws.
 */
export function decodeOnce(raw: string): string | null {
  if (raw.indexOf("%") === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * `encodeURIComponent` applied to each `/`-separated segment: the form in which a key is appended
 * to an origin URL (spaces, `+`, `#`, `?`, `%`, `,` and non-ASCII letters all survive the trip).
 * Only call it with a string that passed `validateKey` (no lone surrogates, so it cannot throw).
 */
export function encodeSegments(key: string): string {
  if (key.indexOf("/") === -1) return encodeURIComponent(key);
  const parts = key.split("/");
  for (let i = 0; i < parts.length; i++) parts[i] = encodeURIComponent(parts[i]!);
  return parts.join("/");
}

/** `rest` without its leading `/` (the contract says it always has one; tolerate its absence). */
export function stripLeadingSlash(rest: string): string {
  return rest.charCodeAt(0) === 0x2f ? rest.slice(1) : rest;
}
