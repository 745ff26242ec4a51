import type { Source } from "./types";

/** Paths the gateway answers itself; never matched to a source. */
const RESERVED = /^\/(_admin|_health|_hooks)(\/|$)/;

/**
 * Orders enabled sources so the first match is the right one: a host match beats `host: null`,
 * then the longest `pathPrefix` wins (ties broken by id so the order is stable).
 */
export function orderForMatching(all: Source[]): Source[] {
  return all
    .filter((s) => s.enabled)
    .sort(
      (a, b) =>
        Number(b.host !== null) - Number(a.host !== null) ||
        b.pathPrefix.length - a.pathPrefix.length ||
        (a.id < b.id ? -1 : 1),
    );
}

/** `pathPrefix` is a segment prefix: `/img` matches `/img` and `/img/a.jpg`, not `/imgs/a.jpg`. */
export function underPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);
}

/** The request host as sources store it: lower case, without the port. */
export function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

export interface SourceMatch {
  source: Source;
  /** Raw path below the prefix, starting with `/`. */
  rest: string;
}

export function matchSource(ordered: Source[], url: URL): SourceMatch | null {
  const path = url.pathname;
  if (RESERVED.test(path)) return null;
  const host = normalizeHost(url.host);
  for (const source of ordered) {
    if (source.host !== null && source.host !== host) continue;
    if (!underPrefix(path, source.pathPrefix)) continue;
    const rest = source.pathPrefix === "/" ? path : path.slice(source.pathPrefix.length) || "/";
    return { source, rest };
  }
  return null;
}
