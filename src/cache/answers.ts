import type { Config } from "../config";
import type { LookupEntry } from "./lookups";

/**
 * The complete answer for a legacy URL already redirected by this isolate (a `ready`, unsigned
 * mapping), keyed by the exact request URL: a repeat of that URL is answered from memory without
 * parsing it again — the hot path's cost is then one Map lookup and a Response.
 *
 * An answer lives no longer than the mapping's cached lookup it was built from (`lookup`): when that
 * entry is forgotten or evicted, the answer dies with it. A change of sources drops every answer
 * (the redirect status or prefix they were built with may differ now). An answer is only served
 * under the Config it was built with, so the answers of one set of vars are never served under
 * another.
 *
 * Bounded in entries AND bytes (SPEC "Limits that keep the public path safe"): at most
 * MAX_ANSWERS entries and MAX_ANSWER_BYTES of estimated memory; the oldest insertion is evicted
 * first. The caller only remembers URLs of at most MAX_ANSWER_URL characters whose query holds
 * nothing but params the parser reads (redirect/canonical.ts), so ignored params never make a key.
 */
export interface HotAnswer {
  status: number;
  /**
   * Built once, as a plain object: the runtime builds a Response from one faster than it copies a
   * Headers (measured by the bench's V8 profile: Response construction 30.9 µs with a Headers,
   * vs 22 µs for the constant 301's object literal, under profiling).
   */
  headers: Readonly<Record<string, string>>;
  mappingId: number;
  expiresAt: number;
  lookup: LookupEntry;
  /**
   * A source whose CORS policy is an origin list: `headers` lack `Access-Control-Allow-Origin`,
   * which is added for a request whose `Origin` is in this list (the answer varies by Origin).
   */
  corsOrigins?: readonly string[];
}

interface Stored extends HotAnswer {
  cfg: Config;
  /** Estimated bytes this entry holds (key, Location, fixed overhead). */
  size: number;
}

export const MAX_ANSWERS = 20_000;
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Longest request URL remembered as a hot answer; longer ones take the normal (parsing) path. */
export const MAX_ANSWER_URL = 2048;
/** Map entry, answer object, Headers with two fields: a generous estimate of the fixed part. */
const ENTRY_OVERHEAD = 512;

const answers = new Map<string, Stored>();
let bytes = 0;

export function hotAnswer(cfg: Config, url: string, now: number): HotAnswer | undefined {
  const hit = answers.get(url);
  if (!hit || hit.cfg !== cfg) return undefined;
  if (hit.expiresAt > now && hit.lookup.expiresAt > now) return hit;
  remove(url, hit);
  return undefined;
}

export function rememberAnswer(cfg: Config, url: string, answer: HotAnswer, location: string): void {
  if (url.length > MAX_ANSWER_URL) return;
  const old = answers.get(url);
  if (old) remove(url, old);
  // Strings are stored as UTF-16 at worst: two bytes a character.
  const size = ENTRY_OVERHEAD + 2 * (url.length + location.length);
  answers.set(url, { ...answer, cfg, size });
  bytes += size;
  while (answers.size > MAX_ANSWERS || bytes > MAX_ANSWER_BYTES) {
    const [oldestUrl, oldest] = answers.entries().next().value!;
    remove(oldestUrl, oldest);
  }
}

function remove(url: string, entry: Stored): void {
  answers.delete(url);
  bytes -= entry.size;
}

/** Drops every remembered answer of this isolate. */
export function forgetAllAnswers(): void {
  answers.clear();
  bytes = 0;
}

/** What this isolate holds (for tests and the bench): entries, estimated bytes, longest key. */
export function answerStats(): { entries: number; bytes: number; longestKey: number } {
  let longestKey = 0;
  for (const url of answers.keys()) longestKey = Math.max(longestKey, url.length);
  return { entries: answers.size, bytes, longestKey };
}
