import type { DeliveryOptions } from "../delivery/options";
import type { Source } from "../sources/types";

/** Why a request that matched a source could not be turned into an asset key (answered 404). */
export type ParseFailure =
  | "unsupported_asset" // e.g. a Cloudinary video or fetch URL: valid for the vendor, not served here
  | "unparseable_url" // the path does not follow the kind's grammar
  | "invalid_key"; // the key would be empty, too long, contain `..`, control characters or NUL

/** A legacy parameter that was not carried over into the delivery options, and why. */
export interface Dropped {
  /** The parameter as written in the URL (`e_sepia`, `txt`, `l_logo/…`), at most 100 characters. */
  param: string;
  reason: string;
}

export interface ParsedAsset {
  ok: true;
  /** The asset key: percent-decoded once, no leading `/`, no `..` segments, ≤ 1024 UTF-8 bytes. */
  key: string;
  /** Images delivery options translated from the legacy transformation. */
  options: DeliveryOptions;
  /** Named variant asked for by the URL (Cloudinary `t_<name>` through `namedTransformations`). */
  namedVariant?: string;
  /**
   * Path (and kept query) of the original, relative to `source.origin`, already percent-encoded,
   * without a leading `/`: the lazy-ingest fetch is `${origin}/${originPath}`.
   */
  originPath: string;
  /**
   * Legacy parameters that were not carried over (no Images equivalent, malformed, only
   * approximated, or part of an overlay or conditional), as the translation meets them (Cloudinary:
   * component by component; imgix: the params it reads, then the ones it does not know). Always
   * present; empty
   * when everything was carried over (and always empty for s3 and http, which have no params).
   */
  dropped: readonly Dropped[];
}

export interface ParseError {
  ok: false;
  reason: ParseFailure;
  /** Human-readable reason, safe to show to end users. */
  message: string;
}

export type ParseResult = ParsedAsset | ParseError;

/**
 * One parser per legacy kind.
 * @param url the full request URL (host and query are available to the parser)
 * @param rest the raw (still percent-encoded) request path below the source's `pathPrefix`,
 *             always starting with `/` (just `/` when nothing follows the prefix)
 * @param source the matched source (kind-specific `options` live here)
 */
export type LegacyParser = (url: URL, rest: string, source: Source) => ParseResult;
