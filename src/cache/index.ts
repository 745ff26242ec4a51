import { forgetAllAnswers } from "./answers";
import { forgetAllInMemory, forgetAtEdge, forgetInMemory } from "./lookups";
import { forgetSources } from "./sources";

/**
 * Invalidation, in one place. Only `src/db/` calls these, from the write functions that change what
 * a legacy URL redirects to, so no handler has to remember (a dependency check enforces it).
 * Memory is this isolate's; the edge cache is this colo's. Other isolates and colos pick a change up
 * within LOOKUP_CACHE_TTL (mappings) or SOURCES_CACHE_TTL (sources).
 */

/** Edge-cache entries purged per bulk change; beyond that, entries expire within LOOKUP_CACHE_TTL. */
export const MAX_EDGE_PURGES = 5000;
const PURGE_CONCURRENCY = 50;

export interface AssetRef {
  source: string;
  key: string;
}

/** One asset changed: its lookup and the answers built from it are dropped. */
export async function forgetAsset(source: string, key: string): Promise<void> {
  forgetInMemory(source, key);
  await forgetAtEdge(source, key).catch(() => false);
}

/** Many assets changed (bulk import, image delete): memory entries, and up to MAX_EDGE_PURGES at the edge. */
export async function forgetAssets(assets: readonly AssetRef[]): Promise<void> {
  for (const a of assets) forgetInMemory(a.source, a.key);
  const purge = assets.slice(0, MAX_EDGE_PURGES);
  for (let i = 0; i < purge.length; i += PURGE_CONCURRENCY) {
    await Promise.all(
      purge.slice(i, i + PURGE_CONCURRENCY).map((a) => forgetAtEdge(a.source, a.key).catch(() => false)),
    );
  }
}

/** Every asset of this isolate may have changed (a source and its mappings were deleted). */
export function forgetAllAssets(): void {
  forgetAllInMemory();
  forgetAllAnswers();
}

export { forgetSources };
