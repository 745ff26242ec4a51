import { getDb } from "../db/client";
import { listSources } from "../db/sources";
import { forgetAnswers } from "../redirect/hot-cache";
import { orderForMatching } from "./match";
import type { Source } from "./types";

/**
 * Sources change rarely and are needed by every request, so each isolate keeps them in memory
 * for `sourcesCacheTtl` seconds. Admin writes in this isolate drop the copy at once; other
 * isolates pick a change up within the TTL. A failed reload keeps serving the last good copy.
 */
let cached: { ordered: Source[]; byId: Map<string, Source>; loadedAt: number } | null = null;
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
        const ordered = orderForMatching(all);
        cached = { ordered, byId: new Map(all.map((s) => [s.id, s])), loadedAt: Date.now() };
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

/** The last loaded copy, for fallbacks when D1 cannot be reached. */
export function lastKnownSources(): Source[] | null {
  return cached?.ordered ?? null;
}

export function invalidateSources(): void {
  cached = null;
  forgetAnswers();
}
