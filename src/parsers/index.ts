import type { Source } from "../sources/types";
import { parseCloudinaryUrl } from "./cloudinary";
import { parseHttpUrl } from "./http";
import { parseImgixUrl } from "./imgix";
import { fail } from "./result";
import { parseS3Url } from "./s3";
import type { ParseResult } from "./types";

/**
 * Parses a legacy URL of `source` into an asset key, delivery options and the original's path.
 * @param url the full request URL
 * @param rest the raw (percent-encoded) path below `source.pathPrefix`, starting with `/`
 * Pure, synchronous, never throws.
 */
export function parseLegacyUrl(url: URL, rest: string, source: Source): ParseResult {
  switch (source.kind) {
    case "cloudinary":
      return parseCloudinaryUrl(url, rest, source);
    case "imgix":
      return parseImgixUrl(url, rest, source);
    case "s3":
      return parseS3Url(url, rest, source);
    case "http":
      return parseHttpUrl(url, rest, source);
    default:
      return fail("unparseable_url", "The source has an unknown kind.");
  }
}
