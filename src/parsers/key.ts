import { fail } from "./result";
import type { ParseError } from "./types";

/** The SPEC's rules for asset keys, checked by every parser and by the admin routes that take a key. */

/** Most UTF-8 bytes an asset key may take (SPEC). */
export const MAX_KEY_BYTES = 1024;

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
