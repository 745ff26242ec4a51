import { carriesParam } from "../parsers/imgix/params";
import type { HttpOptions } from "../sources/types";
import type { Source } from "../sources/types";

/**
 * Whether a request URL may key a hot answer (cache/answers.ts): every query param in it is one the
 * source's parser may carry into the delivery options (the imgix parser's own list), and none is
 * repeated. Cloudinary and S3 read no query at all, http only its
 * `keepQuery` params. So a URL carrying params no parser reads (`?junk=…&i=N`, tracking params) is
 * answered through the normal path — parse and the (source, key) lookup cache, still no D1 — and
 * never makes a hot-answer key: ignored params cannot make a cache key or entry larger.
 */
export function queryIsRead(url: URL, source: Source): boolean {
  if (url.search === "") return true;
  let reads: (name: string) => boolean;
  switch (source.kind) {
    case "imgix":
      reads = carriesParam;
      break;
    case "http": {
      const keep = (source.options as HttpOptions | null)?.keepQuery ?? [];
      reads = (name) => keep.includes(name);
      break;
    }
    default:
      return false;
  }
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    if (seen.has(name) || !reads(name)) return false;
    seen.add(name);
  }
  return true;
}
