import { encodeSegments } from "../parsers/url-encoding";
import type { Target } from "./resolve";
import type { Source } from "../sources/types";

/**
 * The original's path below `origin` for a key given directly (admin `{source, key}`), the same
 * canonical form the parsers produce from a URL: no transformations, each segment re-encoded.
 * Cloudinary keys carry no extension, and Cloudinary serves an original without one.
 */
export function originPathForKey(source: Source, key: string): string {
  switch (source.kind) {
    case "cloudinary":
      return `image/upload/${encodeSegments(key)}`;
    case "s3": {
      const slash = key.indexOf("/");
      return encodeSegments(slash === -1 ? key : key.slice(slash + 1));
    }
    case "http": {
      // Kept query params are part of http keys: `path?v=2`.
      const q = (source.options.keepQuery?.length ?? 0) > 0 ? key.indexOf("?") : -1;
      return q === -1 ? encodeSegments(key) : `${encodeSegments(key.slice(0, q))}${key.slice(q)}`;
    }
    default:
      return encodeSegments(key);
  }
}

export function originUrlForKey(source: Source, key: string): string | null {
  return source.origin ? `${source.origin}/${originPathForKey(source, key)}` : null;
}

/**
 * The ingest target of an asset known by its source and key (an existing mapping), for code that
 * ingests without a legacy URL. The original is fetched from the URL recorded on the mapping while
 * it is still under the source's origin (it keeps what the first request asked for, e.g. a
 * Cloudinary extension), else from the canonical path of the key. Null when the source has no
 * origin. Options and variant are the source's defaults: an ingest stores the original only.
 */
export function targetForMapping(source: Source, key: string, recorded: string | null): Target | null {
  if (!source.origin) return null;
  const base = `${source.origin}/`;
  const originPath = recorded?.startsWith(base) ? recorded.slice(base.length) : originPathForKey(source, key);
  return {
    source,
    asset: { ok: true, key, options: {}, originPath, dropped: [] },
    variant: source.defaultVariant,
    originUrl: base + originPath,
  };
}
