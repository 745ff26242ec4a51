import { getDb } from "../db/client";
import { addHits, type HitDelta } from "../db/mappings";

/**
 * Hit accounting without a D1 write per request: each isolate counts hits in memory and flushes
 * the counts in one batch at most every `hitFlushInterval` seconds, in `waitUntil`. `lastHitAt` is
 * the time of the latest counted hit, so it is exact to within the flush interval. Counts held by
 * an isolate that is evicted before its next flush are lost (documented: hits are approximate).
 */
const pending = new Map<number, { hits: number; last: number }>();
/**
 * Bounds the buffer (SPEC "Limits…"): past MAX_PENDING mappings a flush is due at once; past twice
 * that (a flush is running and still more distinct mappings are hit) new mappings go uncounted.
 */
export const MAX_PENDING = 20_000;
let lastFlush = Date.now();
let flushing: Promise<void> | null = null;

export function countHit(mappingId: number, now: number): void {
  const p = pending.get(mappingId);
  if (p) {
    p.hits++;
    p.last = now;
  } else if (pending.size < 2 * MAX_PENDING) pending.set(mappingId, { hits: 1, last: now });
}

/** Returns a flush to hand to `waitUntil` when one is due, else null. */
export function maybeFlushHits(env: Env, intervalSeconds: number, now: number): Promise<void> | null {
  if (flushing || pending.size === 0) return null;
  if (now - lastFlush < intervalSeconds * 1000 && pending.size < MAX_PENDING) return null;
  return flushHits(env, now);
}

export function flushHits(env: Env, now = Date.now()): Promise<void> {
  if (flushing) return flushing;
  lastFlush = now;
  const deltas: HitDelta[] = [];
  for (const [id, p] of pending) deltas.push({ id, hits: p.hits, lastHitAt: new Date(p.last).toISOString() });
  pending.clear();
  flushing = addHits(getDb(env, "primary"), deltas)
    .catch((err) => {
      // Put the counts back so the next flush retries them.
      for (const d of deltas) {
        const p = pending.get(d.id);
        if (p) p.hits += d.hits;
        else pending.set(d.id, { hits: d.hits, last: Date.parse(d.lastHitAt) });
      }
      console.error("hit flush failed", err);
    })
    .finally(() => {
      flushing = null;
    });
  return flushing;
}
