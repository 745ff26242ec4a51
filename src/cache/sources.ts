import type { Source } from "../sources/types";
import { forgetAllAnswers } from "./answers";

/**
 * This isolate's copy of the sources, ordered for matching (see sources/registry.ts, which loads
 * it). A newly stored copy that differs from the previous one drops every hot answer, since they
 * were built with the old redirect statuses, prefixes and hosts.
 */
let cached: { ordered: Source[]; signature: string; loadedAt: number } | null = null;

/** This isolate's copy when it is fresh, without waiting: the redirect path's usual case. */
export function freshSources(ttlSeconds: number, now: number): Source[] | null {
  return cached && now - cached.loadedAt < ttlSeconds * 1000 ? cached.ordered : null;
}

/** The last stored copy, fresh or not (a fallback while D1 cannot be reached). */
export function lastKnownSources(): Source[] | null {
  return cached?.ordered ?? null;
}

export function storeSources(ordered: Source[], now: number): void {
  const signature = JSON.stringify(ordered);
  if (cached && cached.signature !== signature) forgetAllAnswers();
  cached = { ordered, signature, loadedAt: now };
}

/** Sources changed (in this isolate): the next request reads them again, and no old answer is reused. */
export function forgetSources(): void {
  cached = null;
  forgetAllAnswers();
}
