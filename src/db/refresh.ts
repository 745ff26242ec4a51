import { and, asc, eq, isNull, lt, ne, sql, type SQL } from "drizzle-orm";
import { forgetAsset, forgetAssets } from "../cache";
import { type Db, isUniqueViolation } from "./client";
import { type MappingRow, mappings, retiredImages } from "./schema";
import { type OriginRecord, refreshed, released, toOrphaned, toReadyFrom, toRefreshing } from "./transitions";

/**
 * The writes of keeping mappings in sync with their origin (src/sync/). A refresh holds a lease on
 * a `ready` row (its lease columns; the row keeps redirecting meanwhile) and every write it makes
 * is conditional on still holding it, so two refreshes of one asset, or a refresh and an operator's
 * change, never both win. Switching to a new image and retiring the old one happen in one atomic
 * batch whose statements share that condition: both or neither.
 */
export interface RefreshLease {
  id: number;
  key: string;
  owner: string;
}

/** When a replaced image may go: ISO time of retiring, and epoch ms after which the cron may delete it. */
export interface Retirement {
  at: string;
  after: number;
}

const held = (l: RefreshLease) =>
  and(
    eq(mappings.id, l.id),
    eq(mappings.key, l.key),
    eq(mappings.leaseOwner, l.owner),
    eq(mappings.state, "ready"),
  )!;

/**
 * Takes the refresh lease of a `ready` mapping whose lease is free or expired; null when another
 * refresh holds it or the row is no longer `ready` (or no longer has this key: renamed).
 */
export async function claimRefreshLease(
  db: Db,
  l: RefreshLease & { now: number; leaseMs: number },
): Promise<MappingRow | null> {
  const rows = await db
    .update(mappings)
    .set(toRefreshing(l.owner, l.now + l.leaseMs))
    .where(
      and(
        eq(mappings.id, l.id),
        eq(mappings.key, l.key),
        eq(mappings.state, "ready"),
        sql`coalesce(${mappings.leaseUntil}, 0) <= ${l.now}`,
      ),
    )
    .returning();
  return rows[0] ?? null;
}

/**
 * The statement that retires the image of the rows `where` selects (all in one source), unless it
 * is `keep` (the image they switch to). Put in a batch before the write that changes those rows.
 */
function retireSelected(db: Db, where: SQL, r: Retirement, keep: string | null = null) {
  return db
    .insert(retiredImages)
    .select(
      db
        .select({
          imageId: mappings.imageId,
          source: mappings.source,
          key: mappings.key,
          retiredAt: sql<string>`${r.at}`.as("retired_at"),
          retireAfter: sql<number>`${r.after}`.as("retire_after"),
        })
        .from(mappings)
        .where(and(where, sql`${mappings.imageId} IS NOT NULL AND ${mappings.imageId} IS NOT ${keep}`)),
    )
    .onConflictDoUpdate({
      target: retiredImages.imageId,
      set: { retireAfter: sql`max(${retiredImages.retireAfter}, excluded.retire_after)` },
    });
}

/**
 * Ends a refresh that changes no image (unchanged, gone with `keep`, failed): the outcome, what
 * the origin said, and the lease given back. Null when the lease was lost meanwhile.
 */
export async function settleRefresh(
  db: Db,
  l: RefreshLease,
  set: Partial<OriginRecord> & ReturnType<typeof refreshed>,
): Promise<MappingRow | null> {
  const rows = await db
    .update(mappings)
    .set({ ...set, ...released, updatedAt: set.checkedAt })
    .where(held(l))
    .returning();
  return rows[0] ?? null;
}

/**
 * Changed at the origin: the mapping switches to `imageId` (one statement) and the image it
 * pointed to is retired, atomically and only while the lease is held. Cached lookups are dropped.
 * Returns the row and the image it replaced, or null when the lease was lost.
 */
export async function switchRefreshedImage(
  db: Db,
  l: RefreshLease,
  imageId: string,
  record: OriginRecord & { checkedAt: string },
  retire: Retirement,
): Promise<MappingRow | null> {
  const [, rows] = await db.batch([
    retireSelected(db, held(l), retire, imageId),
    db
      .update(mappings)
      .set({
        ...toReadyFrom(imageId, record),
        ...refreshed("changed", null, record.checkedAt),
        updatedAt: record.checkedAt,
      })
      .where(held(l))
      .returning(),
  ]);
  const row = rows[0] ?? null;
  if (row) await forgetAsset(row.source, row.key);
  return row;
}

/** Gone at the origin, source says `orphan`: the mapping is orphaned and its image retired. */
export async function orphanRefreshed(
  db: Db,
  l: RefreshLease,
  message: string,
  retire: Retirement,
): Promise<MappingRow | null> {
  const [, rows] = await db.batch([
    retireSelected(db, held(l), retire),
    db
      .update(mappings)
      .set({
        ...toOrphaned(message),
        ...refreshed("gone", message, retire.at),
        ...released,
        updatedAt: retire.at,
      })
      .where(held(l))
      .returning(),
  ]);
  const row = rows[0] ?? null;
  if (row) await forgetAsset(row.source, row.key);
  return row;
}

/** Keys per statement of a bulk "gone": one JSON parameter (≤ 1024 bytes a key, well below 1 MB). */
const KEYS_PER_STATEMENT = 500;

/**
 * The origin says these assets were deleted (a signed notification, at `eventAt`): the source's
 * `onOriginGone` applies to each `ready` mapping of them — `keep` records the outcome, `orphan`
 * orphans it and retires its image. A mapping checked after the event (a later refresh saw the
 * asset again) is left alone, and so is one already recorded as gone, so a repeated or late
 * notification changes nothing. Two statements per 500 keys, whatever their number.
 */
export async function markGone(
  db: Db,
  source: string,
  keys: string[],
  mode: "keep" | "orphan",
  message: string,
  eventAt: string,
  retire: Retirement,
): Promise<{ source: string; key: string }[]> {
  const affected: { source: string; key: string }[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
    const json = JSON.stringify(keys.slice(i, i + KEYS_PER_STATEMENT));
    const where = and(
      eq(mappings.source, source),
      sql`${mappings.key} IN (SELECT value FROM json_each(${json}))`,
      eq(mappings.state, "ready"),
      sql`(${mappings.checkedAt} IS NULL OR ${mappings.checkedAt} <= ${eventAt})`,
      mode === "keep" ? sql`${mappings.refreshOutcome} IS NOT 'gone'` : undefined,
    )!;
    const returning = { source: mappings.source, key: mappings.key };
    const outcome = { ...refreshed("gone", message, retire.at), updatedAt: retire.at };
    if (mode === "keep") {
      affected.push(...(await db.update(mappings).set(outcome).where(where).returning(returning)));
    } else {
      const [, rows] = await db.batch([
        retireSelected(db, where, retire),
        db
          .update(mappings)
          .set({ ...toOrphaned(message), ...outcome })
          .where(where)
          .returning(returning),
      ]);
      affected.push(...rows);
    }
  }
  if (mode === "orphan") await forgetAssets(affected);
  return affected;
}

export type MoveOutcome = "moved" | "not-mapped" | "conflict";

/**
 * A rename at the origin: the `ready` mapping of `from` moves to `to`, keeping its image and what
 * was ingested. A mapping already at `to` is replaced — the origin now serves the renamed asset
 * there (Cloudinary only renames onto an existing public id when told to overwrite it) — and its
 * image is retired unless it is the same. One atomic batch; a second delivery finds nothing at
 * `from` and changes nothing.
 */
export async function moveMapping(
  db: Db,
  m: { source: string; from: string; to: string; originUrl: string | null },
  retire: Retirement,
): Promise<{ outcome: MoveOutcome; mapping: MappingRow | null }> {
  const fromReady = sql`EXISTS (SELECT 1 FROM mappings f WHERE f.source = ${m.source} AND f.key = ${m.from} AND f.state = 'ready')`;
  const atTarget = and(eq(mappings.source, m.source), eq(mappings.key, m.to), fromReady)!;
  const fromImage = sql`(SELECT f.image_id FROM mappings f WHERE f.source = ${m.source} AND f.key = ${m.from})`;
  let rows: MappingRow[];
  try {
    [, , rows] = await db.batch([
      retireSelected(
        db,
        and(atTarget, eq(mappings.state, "ready"), ne(mappings.imageId, fromImage))!,
        retire,
      ),
      db.delete(mappings).where(atTarget),
      db
        .update(mappings)
        .set({
          key: m.to,
          originUrl: sql`coalesce(${m.originUrl}, ${mappings.originUrl})`,
          ...released,
          updatedAt: retire.at,
        })
        .where(and(eq(mappings.source, m.source), eq(mappings.key, m.from), eq(mappings.state, "ready")))
        .returning(),
    ]);
  } catch (err) {
    // Only if `to` was inserted between the statements of another writer: cannot happen within one
    // batch, but a unique violation must never surface as a 500.
    if (isUniqueViolation(err)) return { outcome: "conflict", mapping: null };
    throw err;
  }
  await forgetAssets([
    { source: m.source, key: m.from },
    { source: m.source, key: m.to },
  ]);
  const row = rows[0] ?? null;
  return { outcome: row ? "moved" : "not-mapped", mapping: row };
}

/** A `ready` mapping due for revalidation. */
export interface DueMapping {
  id: number;
  source: string;
  key: string;
  originUrl: string | null;
  checkedAt: string | null;
}

/**
 * The `ready` mappings most in need of a re-check, over the given sources: never checked first,
 * then the oldest check before each source's cutoff. Two bounded range reads per source through
 * the (source, state, checked_at) index, in one round trip; merged and cut to `limit`.
 */
export async function dueForRevalidation(
  db: Db,
  sources: { id: string; checkedBefore: string }[],
  limit: number,
): Promise<DueMapping[]> {
  if (sources.length === 0 || limit <= 0) return [];
  const columns = {
    id: mappings.id,
    source: mappings.source,
    key: mappings.key,
    originUrl: mappings.originUrl,
    checkedAt: mappings.checkedAt,
  };
  const page = (s: { id: string }, checked: SQL) =>
    db
      .select(columns)
      .from(mappings)
      .where(and(eq(mappings.source, s.id), eq(mappings.state, "ready"), checked))
      .orderBy(asc(mappings.checkedAt), asc(mappings.id))
      .limit(limit);
  const queries = sources.flatMap((s) => [
    page(s, isNull(mappings.checkedAt)),
    page(s, lt(mappings.checkedAt, s.checkedBefore)),
  ]);
  const results = await db.batch(queries as [(typeof queries)[number], ...(typeof queries)[number][]]);
  return results
    .flat()
    .sort((a, b) =>
      a.checkedAt === b.checkedAt
        ? a.id - b.id
        : a.checkedAt === null
          ? -1
          : b.checkedAt === null
            ? 1
            : a.checkedAt < b.checkedAt
              ? -1
              : 1,
    )
    .slice(0, limit);
}
