import type { HttpOptions } from "../sources/types";
import { validateKey } from "./key";
import { malformedEscape, success } from "./result";
import { decodeOnce, encodeSegments, stripLeadingSlash } from "./url-encoding";
import type { LegacyParser, ParseResult } from "./types";

/**
 * Any HTTP origin: key = the path below the prefix, decoded once. `options.keepQuery` lists the
 * query params that are part of the key (a cache-busting `v`, …): `<path>?v=2`, only the kept
 * params, in the order of `keepQuery`, each `name=value` encoded with `encodeURIComponent`, absent
 * params left out, no `?` when none is present. No delivery options.
 * originPath = the path re-encoded per segment, plus the same kept query.
 *
 * Decisions where the SPEC is silent: a kept param given twice counts with its first value; a kept
 * param present with an empty value (`?v=`) is kept as `v=`; a name listed twice in `keepQuery`
 * is written once.
 */
export const parseHttpUrl: LegacyParser = (url, rest, source): ParseResult => {
  const path = decodeOnce(stripLeadingSlash(rest));
  if (path === null) return malformedEscape("path");
  const invalid = validateKey(path);
  if (invalid) return invalid;

  const keep = (source.options as HttpOptions | null)?.keepQuery;
  let query = "";
  if (Array.isArray(keep) && keep.length > 0 && url.search.length > 1) {
    const params = url.searchParams;
    for (let i = 0; i < keep.length; i++) {
      const name = keep[i]!;
      // Skip duplicates, and names encodeURIComponent would throw on (lone surrogates).
      if (typeof name !== "string" || keep.indexOf(name) !== i || !name.isWellFormed()) continue;
      const value = params.get(name);
      if (value === null) continue;
      query += (query === "" ? "?" : "&") + encodeURIComponent(name) + "=" + encodeURIComponent(value);
    }
  }
  if (query === "") return success(path, {}, encodeSegments(path));

  const key = path + query;
  // The path passed; this re-check only adds the kept query's length to the 1024-byte limit.
  const invalidWithQuery = validateKey(key);
  if (invalidWithQuery) return invalidWithQuery;
  return success(key, {}, encodeSegments(path) + query);
};
