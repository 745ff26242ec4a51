import { validateKey } from "../key";
import { malformedEscape, success } from "../result";
import type { LegacyParser, ParseResult } from "../types";
import { decodeOnce, encodeSegments, stripLeadingSlash } from "../url-encoding";
import { translateParams } from "./translate";

/**
 * imgix URLs: `/<path>?<params>`. The key is the path below the prefix, decoded once; the params
 * become delivery options (./translate); the origin path is the key re-encoded per segment,
 * without params.
 */
export const parseImgixUrl: LegacyParser = (url, rest): ParseResult => {
  const key = decodeOnce(stripLeadingSlash(rest));
  if (key === null) return malformedEscape("path");
  const invalid = validateKey(key);
  if (invalid) return invalid;
  if (url.search.length <= 1) return success(key, {}, encodeSegments(key));
  const { options, dropped } = translateParams(url.searchParams);
  return success(key, options, encodeSegments(key), undefined, dropped);
};
