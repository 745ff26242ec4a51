import type { Config } from "../config";

/**
 * The complete answer for a legacy URL already redirected by this isolate (a `ready`, unsigned
 * mapping), keyed by the exact request URL: a repeat of that URL is answered from memory without
 * parsing it again — the hot path's cost is then one Map lookup and a Response. Entries live as long
 * as the mapping's cached lookup would; a re-read of the sources that finds them changed, and any
 * admin write in this isolate, clear them at once. One map per Config, so the answers of one set
 * of vars are never served under another.
 */
export interface HotAnswer {
  status: number;
  /** Built once: a Response copies a Headers faster than it converts a plain object. */
  headers: Headers;
  mappingId: number;
  expiresAt: number;
}

const MAX_ENTRIES = 20_000;
let maps = new WeakMap<Config, Map<string, HotAnswer>>();

export function hotAnswer(cfg: Config, url: string, now: number): HotAnswer | undefined {
  const map = maps.get(cfg);
  const hit = map?.get(url);
  if (!hit) return undefined;
  if (hit.expiresAt > now) return hit;
  map!.delete(url);
  return undefined;
}

export function rememberAnswer(cfg: Config, url: string, answer: HotAnswer): void {
  let map = maps.get(cfg);
  if (!map) maps.set(cfg, (map = new Map()));
  map.set(url, answer);
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}

/** Drops every remembered answer of this isolate (any mapping or source may have changed). */
export function forgetAnswers(): void {
  maps = new WeakMap();
}
