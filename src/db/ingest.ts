import { and, eq, sql } from "drizzle-orm";
import { forgetAsset } from "../cache";
import { type Db, nowIso } from "./client";
import { type MappingRow, mappings } from "./schema";
import { type OriginRecord, toFailed, toIngesting, toMissing, toReadyFrom } from "./transitions";

/**
 * The ingest lease. Whoever claims it fetches the original and uploads it; everyone else answers
 * with a temporary origin redirect. A claim is one conditional statement, and D1 runs statements
 * one at a time, so among any number of concurrent claims (in any isolates) exactly one wins:
 *  - no row yet → insert it in state `ingesting` with our lease;
 *  - a row whose lease expired (owner died), whose backoff or negative-cache window ended, or whose
 *    image was deleted (`orphaned`) → take it over;
 *  - anything else (ready, a live lease, a window still open) → untouched, no row returned.
 * `force` (admin ingest) also ignores the failed/missing windows, never a live lease or `ready`.
 */
export interface LeaseClaim {
  source: string;
  key: string;
  originUrl: string | null;
  owner: string;
  now: number;
  leaseMs: number;
  force?: boolean;
}

export async function claimIngestLease(db: Db, c: LeaseClaim): Promise<MappingRow | null> {
  const iso = new Date(c.now).toISOString();
  const windowOver = c.force ? sql`1` : sql`coalesce(${mappings.retryAt}, 0) <= ${c.now}`;
  const lease = toIngesting(c.owner, c.now + c.leaseMs);
  const rows = await db
    .insert(mappings)
    .values({
      source: c.source,
      key: c.key,
      ...lease,
      originUrl: c.originUrl,
      attempts: 1,
      createdAt: iso,
      updatedAt: iso,
    })
    .onConflictDoUpdate({
      target: [mappings.source, mappings.key],
      set: {
        ...lease,
        attempts: sql`${mappings.attempts} + 1`,
        originUrl: sql`coalesce(excluded.origin_url, ${mappings.originUrl})`,
        updatedAt: iso,
      },
      setWhere: sql`(${mappings.state} = 'ingesting' AND coalesce(${mappings.leaseUntil}, 0) <= ${c.now})
        OR (${mappings.state} IN ('failed', 'missing') AND ${windowOver})
        OR ${mappings.state} = 'orphaned'`,
    })
    .returning();
  const row = rows[0];
  if (!row || row.leaseOwner !== c.owner || row.state !== "ingesting") return null;
  // A forced claim may take over a `missing` answer that lookups still hold.
  await forgetAsset(c.source, c.key);
  return row;
}

/** Records an ingest outcome only while we still hold the lease; null when the lease was lost. */
async function whileLeased(
  db: Db,
  id: number,
  owner: string,
  set: Partial<MappingRow>,
): Promise<MappingRow | null> {
  const rows = await db
    .update(mappings)
    .set({ ...set, updatedAt: nowIso() })
    .where(and(eq(mappings.id, id), eq(mappings.leaseOwner, owner), eq(mappings.state, "ingesting")))
    .returning();
  const row = rows[0] ?? null;
  if (row) await forgetAsset(row.source, row.key);
  return row;
}

export const completeIngest = (db: Db, id: number, owner: string, imageId: string, record: OriginRecord) =>
  whileLeased(db, id, owner, toReadyFrom(imageId, record));

export const failIngest = (
  db: Db,
  id: number,
  owner: string,
  reason: string,
  message: string,
  retryAt: number,
) => whileLeased(db, id, owner, toFailed(reason, message, retryAt));

export const markMissing = (db: Db, id: number, owner: string, message: string, retryAt: number) =>
  whileLeased(db, id, owner, toMissing(message, retryAt));
