import type { DeliveryOptions } from "../delivery/options";
import type { Dropped, ParsedAsset, ParseError, ParseFailure } from "./types";

/** Constructors of the parsers' results, so every parser answers in the same shape. */

export function fail(reason: ParseFailure, message: string): ParseError {
  return { ok: false, reason, message };
}

/** Shared by every result that dropped nothing (frozen: no caller may push into it). */
export const NOTHING_DROPPED: readonly Dropped[] = Object.freeze([]);

/** A successful result; `namedVariant` is only present when set. */
export function success(
  key: string,
  options: DeliveryOptions,
  originPath: string,
  namedVariant?: string,
  dropped: readonly Dropped[] = NOTHING_DROPPED,
): ParsedAsset {
  return namedVariant === undefined
    ? { ok: true, key, options, originPath, dropped }
    : { ok: true, key, options, namedVariant, originPath, dropped };
}

/** The error every parser answers for a malformed percent-escape in `what`. */
export function malformedEscape(what: string): ParseError {
  return fail("unparseable_url", `The ${what} contains a malformed percent-escape.`);
}
