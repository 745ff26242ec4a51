import type { Db } from "./client";
import { sourceFailures, sourceStats, sources } from "./schema";

export interface SourceStats {
  source: string;
  mappings: {
    ready: number;
    ingesting: number;
    failed: number;
    missing: number;
    orphaned: number;
    total: number;
  };
  hits: number;
  bytesIngested: number;
  failures: Record<string, number>;
  /** Refreshes of mapped assets by outcome (admin, notifications, revalidation). */
  refreshes: { unchanged: number; changed: number; gone: number; failed: number };
}

const empty = (source: string): SourceStats => ({
  source,
  mappings: { ready: 0, ingesting: 0, failed: 0, missing: 0, orphaned: 0, total: 0 },
  hits: 0,
  bytesIngested: 0,
  failures: {},
  refreshes: { unchanged: 0, changed: 0, gone: 0, failed: 0 },
});

/**
 * Stats of every source from the trigger-maintained counters: three small reads (sources,
 * counters, failure reasons), each one row per source (or per source and reason) — never a scan
 * of the mappings, however many there are.
 */
export async function readStats(
  db: Db,
): Promise<{ sources: SourceStats[]; totals: Omit<SourceStats, "source"> }> {
  const [all, counters, failures] = await db.batch([
    db.select({ id: sources.id }).from(sources).orderBy(sources.id),
    db.select().from(sourceStats),
    db.select().from(sourceFailures),
  ]);
  const bySource = new Map<string, SourceStats>(all.map((s) => [s.id, empty(s.id)]));
  for (const c of counters) {
    const s = bySource.get(c.source);
    if (!s) continue; // counters of a source deleted meanwhile
    s.mappings = {
      ready: c.ready,
      ingesting: c.ingesting,
      failed: c.failed,
      missing: c.missing,
      orphaned: c.orphaned,
      total: c.total,
    };
    s.hits = c.hits;
    s.bytesIngested = c.bytesIngested;
    s.refreshes = {
      unchanged: c.refreshUnchanged,
      changed: c.refreshChanged,
      gone: c.refreshGone,
      failed: c.refreshFailed,
    };
  }
  for (const f of failures) {
    const s = bySource.get(f.source);
    if (s && f.n > 0) s.failures[f.reason] = f.n;
  }
  const list = [...bySource.values()];
  const totals = empty("");
  for (const s of list) {
    for (const k of Object.keys(totals.mappings) as (keyof SourceStats["mappings"])[])
      totals.mappings[k] += s.mappings[k];
    totals.hits += s.hits;
    totals.bytesIngested += s.bytesIngested;
    for (const k of Object.keys(totals.refreshes) as (keyof SourceStats["refreshes"])[])
      totals.refreshes[k] += s.refreshes[k];
    for (const [reason, n] of Object.entries(s.failures))
      totals.failures[reason] = (totals.failures[reason] ?? 0) + n;
  }
  const { source: _, ...rest } = totals;
  return { sources: list, totals: rest };
}
