import type { MappingLookup } from "../db/mappings";

/**
 * Mapping lookups in front of D1, in two layers, both keyed by (source, key) so every
 * transformation URL of one asset shares one entry:
 *  1. this isolate's memory: a Map in insertion order, bounded in entries, the oldest insertion
 *     evicted first (FIFO; a re-remembered entry moves to the back). Answered with no I/O.
 *  2. the colo's edge cache (Cache API), shared by all isolates there.
 * Bounded in entries and in estimated bytes (MAX_LOOKUP_BYTES).
 * Only stable answers are cached: `ready` mappings, and `missing` ones until their negative-cache
 * window ends. Anything in flight (ingesting, failed, orphaned) is always read from D1.
 *
 * An entry that is forgotten or evicted is marked dead (`expiresAt = 0`): the hot answers built
 * from it (./answers.ts) hold a reference to it and die with it, so forgetting one asset costs one
 * Map delete, not a sweep of every remembered answer.
 */
export const MAX_LOOKUP_ENTRIES = 20_000;
/** Estimated memory the entries may hold in all (keys and image ids are up to 1024 characters). */
export const MAX_LOOKUP_BYTES = 8 * 1024 * 1024;
const ENTRY_OVERHEAD = 256;
const EDGE_HOST = "https://lookup-cache.legacy-image-gateway.internal";

export interface LookupEntry {
  readonly value: MappingLookup;
  /** Epoch ms; 0 once forgotten or evicted. */
  expiresAt: number;
  /** Estimated bytes: key, image id (UTF-16 at worst) and a fixed overhead. */
  readonly size: number;
}
const memory = new Map<string, LookupEntry>();
let bytes = 0;

const memoryKey = (source: string, key: string) => `${source}\u0000${key}`;
const edgeKey = (source: string, key: string) =>
  `${EDGE_HOST}/v1/${encodeURIComponent(source)}/${encodeURIComponent(key)}`;

export function isCacheable(m: MappingLookup, now: number): boolean {
  if (m.state === "ready") return m.imageId !== null;
  if (m.state === "missing") return m.retryAt !== null && m.retryAt > now;
  return false;
}

function ttlFor(m: MappingLookup, ttlSeconds: number, now: number): number {
  const ttl = ttlSeconds * 1000;
  return m.state === "missing" && m.retryAt !== null ? Math.min(ttl, m.retryAt - now) : ttl;
}

/** The live memory entry of an asset, if any. */
export function memoryEntry(source: string, key: string, now: number): LookupEntry | undefined {
  const k = memoryKey(source, key);
  const e = memory.get(k);
  if (!e) return undefined;
  if (e.expiresAt <= now) {
    drop(k, e);
    return undefined;
  }
  return e;
}

export function fromMemory(source: string, key: string, now: number): MappingLookup | undefined {
  return memoryEntry(source, key, now)?.value;
}

function drop(k: string, e: LookupEntry): void {
  e.expiresAt = 0;
  if (memory.delete(k)) bytes -= e.size;
}

/** Puts a lookup in this isolate's memory only (fromEdge and remember use it; tests too). */
export function toMemory(
  source: string,
  key: string,
  value: MappingLookup,
  ttlMs: number,
  now: number,
): void {
  const k = memoryKey(source, key);
  const old = memory.get(k);
  if (old) drop(k, old);
  const size = ENTRY_OVERHEAD + 2 * (k.length + (value.imageId?.length ?? 0));
  memory.set(k, { value, expiresAt: now + ttlMs, size });
  bytes += size;
  while (memory.size > MAX_LOOKUP_ENTRIES || bytes > MAX_LOOKUP_BYTES) {
    const [oldestKey, oldest] = memory.entries().next().value!;
    drop(oldestKey, oldest);
  }
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

/** Drops an asset from this isolate's memory (and so its hot answers). */
export function forgetInMemory(source: string, key: string): void {
  const k = memoryKey(source, key);
  const e = memory.get(k);
  if (e) drop(k, e);
}

/** Drops an asset from this colo's edge cache. */
export function forgetAtEdge(source: string, key: string): Promise<boolean> {
  return caches.default.delete(edgeKey(source, key));
}

/** Drops every entry of this isolate's memory layer. */
export function forgetAllInMemory(): void {
  for (const e of memory.values()) e.expiresAt = 0;
  memory.clear();
  bytes = 0;
}

/** What this isolate holds (for tests and the bench): entries and estimated bytes. */
export function lookupStats(): { entries: number; bytes: number } {
  return { entries: memory.size, bytes };
}
