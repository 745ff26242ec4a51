import type { Config } from "../config";
import type { MappingLookup } from "../db/mappings";
import { flexibleVariant, hasOptions } from "../delivery/options";
import { deliveryUrl, signDeliveryUrl } from "../delivery/url";
import { ApiError, apiError } from "../errors";
import { parseLegacyUrl } from "../parsers";
import type { ParsedAsset } from "../parsers/types";
import { matchSource } from "../sources/match";
import type { Source } from "../sources/types";

/** What a GET of a legacy URL does ("invalid": a source matched but the URL could not be parsed). */
export type Action = Decision["action"] | "invalid";

/** A legacy URL matched to a source and parsed into an asset key: everything known before D1. */
export interface Target {
  source: Source;
  asset: ParsedAsset;
  variant: string;
  /** `${origin}/${originPath}`, or null when the source has no origin. */
  originUrl: string | null;
}

export type TargetResult =
  { ok: true; target: Target } | { ok: false; source: Source | null; error: ApiError };

/** Matches a source and parses the URL. Pure: no I/O. */
export function targetFor(cfg: Config, ordered: Source[], url: URL): TargetResult {
  const match = matchSource(ordered, url);
  if (!match) return { ok: false, source: null, error: apiError("no_source", "No source serves this URL") };
  const { source } = match;
  const asset = parseLegacyUrl(url, match.rest, source);
  if (!asset.ok) return { ok: false, source, error: apiError(asset.reason, asset.message) };
  return {
    ok: true,
    target: {
      source,
      asset,
      variant: variantFor(cfg, source, asset),
      originUrl: originUrlFor(source, asset),
    },
  };
}

/**
 * Flexible-variant options when flexible variants are on, the source does not require signed
 * URLs and the URL carried options; otherwise the named variant the URL asked for, or the
 * source's default variant.
 */
export function variantFor(cfg: Config, source: Source, asset: ParsedAsset): string {
  if (cfg.flexibleVariants && !source.requireSignedURLs && hasOptions(asset.options)) {
    return flexibleVariant(asset.options);
  }
  return asset.namedVariant ?? source.defaultVariant;
}

export function originUrlFor(source: Source, asset: ParsedAsset): string | null {
  return source.origin ? `${source.origin}/${asset.originPath}` : null;
}

/** What a GET of a legacy URL does, with what that action needs. */
export type Decision =
  | { action: "redirect"; imageId: string }
  | { action: "ingest"; originUrl: string }
  | { action: "redirect-origin"; originUrl: string }
  | { action: "not-found"; error: ApiError };

const NOT_MAPPED = () => apiError("asset_not_found", "This asset is not mapped to an image");
const MISSING = () => apiError("asset_missing_at_origin", "The original is missing at the legacy origin");

/** The state machine of the redirect path, given the mapping row (or its absence). */
export function decide(target: Target, m: MappingLookup | null, now: number): Decision {
  const { source, originUrl } = target;
  if (m) {
    if (m.state === "ready" && m.imageId !== null) return { action: "redirect", imageId: m.imageId };
    if (m.state === "missing" && m.retryAt !== null && m.retryAt > now)
      return { action: "not-found", error: MISSING() };
    // Another request is ingesting it, or the last attempt failed and its backoff has not ended:
    // the user gets the original from the origin meanwhile.
    if (originUrl && m.state === "ingesting" && m.leaseUntil !== null && m.leaseUntil > now) {
      return { action: "redirect-origin", originUrl };
    }
    if (originUrl && m.state === "failed" && m.retryAt !== null && m.retryAt > now) {
      return { action: "redirect-origin", originUrl };
    }
  }
  if (originUrl && source.onMiss === "ingest") return { action: "ingest", originUrl };
  if (originUrl && source.onMiss === "redirect-origin") return { action: "redirect-origin", originUrl };
  return { action: "not-found", error: NOT_MAPPED() };
}

export interface SignedLocation {
  location: string;
  /** Seconds the redirect may be cached; bounded by the signature lifetime for signed URLs. */
  maxAge: number;
  signed: boolean;
}

/** The delivery URL of a mapped asset, signed when the source requires it. */
export async function deliveryLocation(
  cfg: Config,
  requestOrigin: string,
  target: Target,
  imageId: string,
  now: number,
): Promise<SignedLocation> {
  const url = deliveryUrl(cfg, requestOrigin, imageId, target.variant);
  if (!target.source.requireSignedURLs) return { location: url, maxAge: cfg.redirectMaxAge, signed: false };
  if (!cfg.signingKey) {
    throw apiError(
      "signing_unavailable",
      "This source requires signed URLs but no signing key is configured",
    );
  }
  const exp = Math.floor(now / 1000) + cfg.signedUrlTtl;
  const location = await signDeliveryUrl(url, cfg.signingKey, exp);
  // Leave a margin so a cached redirect never hands out an expired signature.
  const maxAge = Math.max(0, Math.min(cfg.redirectMaxAge, Math.floor(cfg.signedUrlTtl / 2)));
  return { location, maxAge, signed: true };
}
