import { getDb } from "../db/client";
import { listSources } from "../db/sources";
import { forgetAnswers } from "../redirect/hot-cache";
import { orderForMatching } from "./match";
import type { Source } from "./types";

/**
 * Sources change rarely and are needed by every request, so each isolate keeps them in memory
 * and re-reads them every `sourcesCacheTtl` seconds. Admin writes in this isolate drop the copy at
 * once; other isolates pick a change up at their next re-read. A failed re-read keeps serving the
 * last good copy. A re-read that finds the sources changed drops this isolate's remembered answers
 * (redirect status, prefixes… may differ now); one that finds them unchanged keeps them.
 */
let cached: { ordered: Source[]; signature: string; loadedAt: number } | null = null;
let loading: Promise<Source[]> | null = null;

/** This isolate's copy when it is fresh, without waiting: the redirect path's usual case. */
export function freshSources(ttlSeconds: number, now: number): Source[] | null {
  return cached && now - cached.loadedAt < ttlSeconds * 1000 ? cached.ordered : null;
}

export async function matchableSources(env: Env, ttlSeconds: number): Promise<Source[]> {
  const fresh = freshSources(ttlSeconds, Date.now());
  if (fresh) return fresh;
  if (!loading) {
    loading = listSources(getDb(env.DB))
      .then((all) => {
        const signature = JSON.stringify(all);
        if (cached && cached.signature !== signature) forgetAnswers();
        const ordered = orderForMatching(all);
        cached = { ordered, signature, loadedAt: Date.now() };
        return ordered;
      })
      .finally(() => {
        loading = null;
      });
  }
  try {
    return await loading;
  } catch (err) {
    if (cached) return cached.ordered;
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

/** The last loaded copy, for fallbacks when D1 cannot be reached. */
export function lastKnownSources(): Source[] | null {
  return cached?.ordered ?? null;
}

export function invalidateSources(): void {
  cached = null;
  forgetAnswers();
}
