import { encodeSegments } from "../parsers/url-encoding";
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
