import { and, eq, inArray, lte } from "drizzle-orm";
import type { Db } from "./client";
import { mappings } from "./schema";

/**
 * Rows of assets nobody mapped (SPEC "Limits…": keys that were never mapped do not grow D1 without
 * bound). A `missing` row whose negative-cache window (`retry_at`) ended, or a `failed` row whose
 * retry time passed more than `failedRetentionMs` ago, was not asked for again since — a request
 * after the window would have claimed it (→ `ingesting`). Such rows are deleted in bounded batches
 * through the (state, retry_at) index. Deleting is safe against a concurrent claim: the DELETE is
 * conditional on the state and window, and a claimed row is `ingesting`. Cached lookups of a
 * `missing` row never outlive its window, so nothing needs invalidating.
 */
export function expiredUnmappedQuery(db: Db, state: "missing" | "failed", before: number, limit: number) {
  return db
    .select({ id: mappings.id })
    .from(mappings)
    .where(and(eq(mappings.state, state), lte(mappings.retryAt, before)))
    .limit(limit);
}

/** The DELETE of up to `limit` expired rows of one state (returning their ids). */
export function expiredUnmappedDelete(db: Db, state: "missing" | "failed", before: number, limit: number) {
  return db
    .delete(mappings)
    .where(
      and(
        inArray(mappings.id, expiredUnmappedQuery(db, state, before, limit)),
        eq(mappings.state, state),
        lte(mappings.retryAt, before),
      ),
    )
    .returning({ id: mappings.id });
}

/** Deletes up to `limit` expired rows of one state; returns how many went. */
export async function deleteExpiredUnmapped(
  db: Db,
  state: "missing" | "failed",
  before: number,
  limit: number,
): Promise<number> {
  return (await expiredUnmappedDelete(db, state, before, limit)).length;
}
