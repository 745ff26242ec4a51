import { getDb } from "../db/client";
import { listSources } from "../db/sources";
import { orderForMatching } from "./match";
import type { Source } from "./types";

/**
 * Sources change rarely and are needed by every request, so each isolate keeps them in memory
 * for `sourcesCacheTtl` seconds. Admin writes in this isolate drop the copy at once; other
 * isolates pick a change up within the TTL. A failed reload keeps serving the last good copy.
 */
let cached: { ordered: Source[]; byId: Map<string, Source>; loadedAt: number } | null = null;
let loading: Promise<Source[]> | null = null;

export async function matchableSources(env: Env, ttlSeconds: number): Promise<Source[]> {
  const now = Date.now();
  if (cached && now - cached.loadedAt < ttlSeconds * 1000) return cached.ordered;
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
}
