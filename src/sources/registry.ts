import { freshSources, lastKnownSources, storeSources } from "../cache/sources";
import { getDb } from "../db/client";
import { listSources } from "../db/sources";
import { orderForMatching } from "./match";
import type { Source } from "./types";

/**
 * Sources change rarely and are needed by every request, so each isolate keeps them in memory
 * (cache/sources.ts) and re-reads them every `sourcesCacheTtl` seconds. Writes through db/sources.ts
 * drop the copy at once in this isolate; other isolates pick a change up at their next re-read. A
 * failed re-read keeps serving the last good copy.
 */
let loading: Promise<Source[]> | null = null;

export { freshSources, lastKnownSources };

export async function matchableSources(env: Env, ttlSeconds: number): Promise<Source[]> {
  const fresh = freshSources(ttlSeconds, Date.now());
  if (fresh) return fresh;
  if (!loading) {
    loading = listSources(getDb(env, "replica"))
      .then((all) => {
        const ordered = orderForMatching(all);
        storeSources(ordered, Date.now());
        return ordered;
      })
      .finally(() => {
        loading = null;
      });
  }
  try {
    return await loading;
  } catch (err) {
    const last = lastKnownSources();
    if (last) return last;
    throw err;
  }
}

/**
 * For the hot path, which answers without looking at sources: when this isolate's copy is due for
 * a re-read, start one in the background (the answer itself does not wait for it).
 */
export function refreshSourcesIfDue(env: Env, ctx: ExecutionContext, ttlSeconds: number, now: number): void {
  if (loading || freshSources(ttlSeconds, now)) return;
  ctx.waitUntil(
    matchableSources(env, ttlSeconds).then(
      () => undefined,
      () => undefined,
    ),
  );
}
