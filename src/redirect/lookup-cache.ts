import type { MappingLookup } from "../db/mappings";
import { forgetAnswers } from "./hot-cache";

/**
 * Two layers in front of D1 for mapping lookups, both keyed by (source, key) so every
 * transformation URL of one asset shares one entry:
 *  1. this isolate's memory (an LRU bounded in entries), answered with no I/O at all;
 *  2. the colo's edge cache (Cache API), shared by all isolates there.
 * Only stable answers are cached: `ready` mappings, and `missing` ones until their negative-cache
 * window ends. Anything in flight (ingesting, failed) is always read from D1.
 */
const MAX_ENTRIES = 20_000;
const CACHE_HOST = "https://lookup-cache.legacy-image-gateway.internal";

interface Entry {
  value: MappingLookup;
  expiresAt: number;
}
const memory = new Map<string, Entry>();

const memoryKey = (source: string, key: string) => `${source}\u0000${key}`;
const edgeKey = (source: string, key: string) =>
  `${CACHE_HOST}/v1/${encodeURIComponent(source)}/${encodeURIComponent(key)}`;

export function isCacheable(m: MappingLookup, now: number): boolean {
  if (m.state === "ready") return m.imageId !== null;
  if (m.state === "missing") return m.retryAt !== null && m.retryAt > now;
  return false;
}

function ttlFor(m: MappingLookup, ttlSeconds: number, now: number): number {
  const ttl = ttlSeconds * 1000;
  return m.state === "missing" && m.retryAt !== null ? Math.min(ttl, m.retryAt - now) : ttl;
}

export function fromMemory(source: string, key: string, now: number): MappingLookup | undefined {
  const k = memoryKey(source, key);
  const e = memory.get(k);
  if (!e) return undefined;
  if (e.expiresAt <= now) {
    memory.delete(k);
    return undefined;
  }
  return e.value;
}

function toMemory(source: string, key: string, value: MappingLookup, ttlMs: number, now: number): void {
  const k = memoryKey(source, key);
  memory.delete(k);
  memory.set(k, { value, expiresAt: now + ttlMs });
  if (memory.size > MAX_ENTRIES) memory.delete(memory.keys().next().value!);
}

export async function fromEdge(source: string, key: string, now: number): Promise<MappingLookup | undefined> {
  const res = await caches.default.match(edgeKey(source, key));
  if (!res) return undefined;
  const value = (await res.json()) as MappingLookup;
  const expiresAt = Number(res.headers.get("x-expires-at"));
  if (!(expiresAt > now)) return undefined;
  toMemory(source, key, value, expiresAt - now, now);
  return value;
}

/** Remembers a lookup in both layers; returns the edge write for `waitUntil`. */
export function remember(source: string, key: string, value: MappingLookup, ttlSeconds: number, now: number) {
  if (ttlSeconds <= 0 || !isCacheable(value, now)) return null;
  const ttl = ttlFor(value, ttlSeconds, now);
  if (ttl <= 0) return null;
  toMemory(source, key, value, ttl, now);
  const seconds = Math.max(1, Math.floor(ttl / 1000));
  return caches.default.put(
    edgeKey(source, key),
    new Response(JSON.stringify(value), {
      headers: {
        "content-type": "application/json",
        "cache-control": `public, max-age=${seconds}`,
        "x-expires-at": String(now + ttl),
      },
    }),
  );
}

/** Drops an asset from both layers (the edge layer only in this colo), and this isolate's answers. */
export async function forget(source: string, key: string): Promise<void> {
  memory.delete(memoryKey(source, key));
  forgetAnswers();
  await caches.default.delete(edgeKey(source, key));
}

/** Drops every entry of this isolate's memory layer (e.g. after a bulk change). */
export function forgetAllInMemory(): void {
  memory.clear();
  forgetAnswers();
}
