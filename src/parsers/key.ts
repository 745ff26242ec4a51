import type { DeliveryOptions } from "../delivery/options";
import type { ParsedAsset, ParseError, ParseFailure } from "./types";

/**
 * Shared helpers of the legacy-URL parsers: decoding, key validation, origin-path encoding.
 * Everything here is pure, synchronous and never throws.
 */

/** Most UTF-8 bytes an asset key may take (SPEC). */
export const MAX_KEY_BYTES = 1024;

export function fail(reason: ParseFailure, message: string): ParseError {
  return { ok: false, reason, message };
}

/** A successful result; `namedVariant` is only present when set. */
export function success(
  key: string,
  options: DeliveryOptions,
  originPath: string,
  namedVariant?: string,
): ParsedAsset {
  return namedVariant === undefined
    ? { ok: true, key, options, originPath }
    : { ok: true, key, options, namedVariant, originPath };
}

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

/** The error every parser answers for a malformed escape. */
export function malformedEscape(what: string): ParseError {
  return fail("unparseable_url", `The ${what} contains a malformed percent-escape.`);
}

/**
 * Checks the SPEC's key rules. Returns `null` when `key` is valid, else the `invalid_key` error:
 * empty, starts with `/`, a `..` segment, a control character (U+0000–U+001F, U+007F), a lone
 * surrogate (cannot be encoded as UTF-8), or more than 1024 UTF-8 bytes.
 * One pass over the string, no allocation on the happy path.
 */
export function validateKey(key: string): ParseError | null {
  const n = key.length;
  if (n === 0) return fail("invalid_key", "The asset key is empty.");
  // UTF-8 never takes fewer bytes than UTF-16 code units, so this is a cheap early exit.
  if (n > MAX_KEY_BYTES) return tooLong();
  if (key.charCodeAt(0) === 0x2f) return fail("invalid_key", "The asset key must not start with '/'.");
  let bytes = 0;
  let segmentStart = 0;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) {
        return fail("invalid_key", "The asset key contains a control character or NUL.");
      }
      if (c === 0x2f) {
        if (isDotDot(key, segmentStart, i)) return dotDot();
        segmentStart = i + 1;
      }
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < n ? key.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return loneSurrogate();
      bytes += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return loneSurrogate();
    } else {
      bytes += 3;
    }
  }
  if (isDotDot(key, segmentStart, n)) return dotDot();
  if (bytes > MAX_KEY_BYTES) return tooLong();
  return null;
}

function isDotDot(key: string, start: number, end: number): boolean {
  return end - start === 2 && key.charCodeAt(start) === 0x2e && key.charCodeAt(start + 1) === 0x2e;
}

function tooLong(): ParseError {
  return fail("invalid_key", `The asset key is longer than ${MAX_KEY_BYTES} bytes.`);
}

function dotDot(): ParseError {
  return fail("invalid_key", "The asset key must not contain a '..' segment.");
}

function loneSurrogate(): ParseError {
  return fail("invalid_key", "The asset key is not valid Unicode.");
}

/**
 * `encodeURIComponent` applied to each `/`-separated segment: the form in which a key is appended
 * to an origin URL (spaces, `+`, `#`, `?`, `%`, `,` and non-ASCII letters all survive the trip).
 * Only call it with a key that passed `validateKey` (no lone surrogates, so it cannot throw).
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

/**
 * Parses an unsigned decimal integer written only with digits (`"400"`; not `"4e2"`, `"400.0"`,
 * `" 400"`, `"+400"`). Returns `undefined` for anything else or beyond 9 digits.
 */
const DIGITS = /^\d{1,9}$/;
export function parseDigits(value: string): number | undefined {
  return DIGITS.test(value) ? Number(value) : undefined;
}

/** A non-negative decimal number (`"2"`, `"1.5"`, `"2.0"`, `".5"`); `undefined` otherwise. */
const DECIMAL = /^(?:\d{1,6}(?:\.\d{0,6})?|\.\d{1,6})$/;
export function parseDecimal(value: string): number | undefined {
  return DECIMAL.test(value) ? Number(value) : undefined;
}

/** Device pixel ratio: a positive number, capped at 2 (SPEC). */
export function toDpr(value: string): number | undefined {
  const n = parseDecimal(value);
  if (n === undefined || n <= 0) return undefined;
  return n > 2 ? 2 : n;
}

/** Blur on the 0–2000 scale shared by Cloudinary and imgix → Images' 1–250 (`max(1, round(n/8))`). */
export function toBlur(n: number): number {
  const clamped = n > 2000 ? 2000 : n < 0 ? 0 : n;
  return Math.max(1, Math.round(clamped / 8));
}

/**
 * Aspect ratio as written by Cloudinary (`ar_16:9`, `ar_1.5`) and imgix (`ar=16:9`):
 * width / height, or `undefined` when it is not a positive finite ratio.
 */
const RATIO = /^(\d{1,6}(?:\.\d{1,6})?):(\d{1,6}(?:\.\d{1,6})?)$/;
export function parseAspectRatio(value: string): number | undefined {
  const m = RATIO.exec(value);
  let ratio: number | undefined;
  if (m) ratio = Number(m[1]) / Number(m[2]);
  else ratio = parseDecimal(value);
  return ratio !== undefined && ratio > 0 && Number.isFinite(ratio) ? ratio : undefined;
}
