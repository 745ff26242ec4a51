import type { Config } from "../config";
import type { LookupEntry } from "./lookups";

/**
 * The complete answer for a legacy URL already redirected by this isolate (a `ready`, unsigned
 * mapping), keyed by the exact request URL: a repeat of that URL is answered from memory without
 * parsing it again — the hot path's cost is then one Map lookup and a Response.
 *
 * An answer lives no longer than the mapping's cached lookup it was built from (`lookup`): when that
 * entry is forgotten or evicted, the answer dies with it. A change of sources drops every answer
 * (the redirect status or prefix they were built with may differ now). One map per Config, so the
 * answers of one set of vars are never served under another. Bounded in entries; the oldest
 * insertion is evicted first.
 */
export interface HotAnswer {
  status: number;
  /** Built once: a Response copies a Headers faster than it converts a plain object. */
  headers: Headers;
  mappingId: number;
  expiresAt: number;
  lookup: LookupEntry;
  /**
   * A source whose CORS policy is an origin list: `headers` lack `Access-Control-Allow-Origin`,
   * which is added for a request whose `Origin` is in this list (the answer varies by Origin).
   */
  corsOrigins?: readonly string[];
}

export const MAX_ANSWERS = 20_000;
let maps = new WeakMap<Config, Map<string, HotAnswer>>();

export function hotAnswer(cfg: Config, url: string, now: number): HotAnswer | undefined {
  const map = maps.get(cfg);
  const hit = map?.get(url);
  if (!hit) return undefined;
  if (hit.expiresAt > now && hit.lookup.expiresAt > now) return hit;
  map!.delete(url);
  return undefined;
}

export function rememberAnswer(cfg: Config, url: string, answer: HotAnswer): void {
  let map = maps.get(cfg);
  if (!map) maps.set(cfg, (map = new Map()));
  map.set(url, answer);
  if (map.size > MAX_ANSWERS) map.delete(map.keys().next().value!);
}

/** Drops every remembered answer of this isolate. */
export function forgetAllAnswers(): void {
  maps = new WeakMap();
}
