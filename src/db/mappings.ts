import { and, asc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { forgetAsset } from "../cache";
import { type Db, isUniqueViolation, nowIso } from "./client";
import { type MappingRow, type MappingState, mappings, sources } from "./schema";
import { toReady } from "./transitions";

/**
 * A mapping as the admin API shows it: the row without the lease internals, deadlines as ISO
 * strings. `retryAt` is, for `failed`, the earliest retry; for `missing`, the end of the
 * negative-cache window.
 */
export type Mapping = Omit<MappingRow, "leaseOwner" | "leaseUntil" | "retryAt"> & { retryAt: string | null };

export function toMapping(row: MappingRow): Mapping {
  const { leaseOwner: _owner, leaseUntil: _until, retryAt, ...rest } = row;
  return { ...rest, retryAt: retryAt == null ? null : new Date(retryAt).toISOString() };
}

/** The columns the redirect path needs: one row through the (source, key) unique index. */
export type MappingLookup = Pick<MappingRow, "id" | "imageId" | "state" | "retryAt" | "leaseUntil">;

export async function findMappingForRedirect(
  db: Db,
  source: string,
  key: string,
): Promise<MappingLookup | null> {
  const row = await db
    .select({
      id: mappings.id,
      imageId: mappings.imageId,
      state: mappings.state,
      retryAt: mappings.retryAt,
      leaseUntil: mappings.leaseUntil,
    })
    .from(mappings)
    .where(and(eq(mappings.source, source), eq(mappings.key, key)))
    .get();
  return row ?? null;
}

export async function getMapping(db: Db, id: number): Promise<Mapping | null> {
  const row = await db.select().from(mappings).where(eq(mappings.id, id)).get();
  return row ? toMapping(row) : null;
}

export async function getMappingRowByKey(db: Db, source: string, key: string): Promise<MappingRow | null> {
  const row = await db
    .select()
    .from(mappings)
    .where(and(eq(mappings.source, source), eq(mappings.key, key)))
    .get();
  return row ?? null;
}

export interface MappingFilter {
  source?: string;
  state?: MappingState;
  prefix?: string;
  /** Exclusive: rows with a greater id. */
  afterId?: number;
  limit: number;
}

/**
 * The query of a page in id order. Every filter has an index that yields rows already in id order
 * (source → (source, id); source and state → (source, state, id); state → (state, id); nothing →
 * the primary key), so a page reads about `limit` rows however many mappings there are. A prefix
 * reads its range of the (source, key) index — all sources' ranges when no source is given — and
 * sorts only the rows in it. test/hardening/scale.test.ts checks the plans with EXPLAIN QUERY PLAN.
 */
export function listMappingsQuery(db: Db, f: MappingFilter) {
  const where: SQL[] = [gt(mappings.id, f.afterId ?? 0)];
  if (f.source !== undefined) where.push(eq(mappings.source, f.source));
  else if (f.prefix) where.push(inArray(mappings.source, db.select({ id: sources.id }).from(sources)));
  if (f.state !== undefined) {
    // With a prefix, `+state` leaves the state to be checked on the rows of the key range.
    where.push(f.prefix ? sql`+${mappings.state} = ${f.state}` : eq(mappings.state, f.state));
  }
  if (f.prefix) {
    // A range the (source, key) index can use, then an exact check of the prefix.
    where.push(gte(mappings.key, f.prefix), lt(mappings.key, `${f.prefix}\u{10FFFF}`));
    where.push(sql`substr(${mappings.key}, 1, ${[...f.prefix].length}) = ${f.prefix}`);
  }
  return (
    db
      .select()
      .from(mappings)
      .where(and(...where))
      // With a prefix, `+id` keeps SQLite from walking the (source, id) index in order and filtering
      // every row of the source: the (source, key) range is read instead, and only it is sorted.
      .orderBy(f.prefix ? sql`+${mappings.id}` : asc(mappings.id))
      .limit(f.limit + 1)
  );
}

/** A page in id order, plus whether more rows follow. */
export async function listMappings(db: Db, f: MappingFilter): Promise<{ items: Mapping[]; more: boolean }> {
  const rows = await listMappingsQuery(db, f);
  const more = rows.length > f.limit;
  return { items: rows.slice(0, f.limit).map(toMapping), more };
}

export interface NewReadyMapping {
  source: string;
  key: string;
  imageId: string;
  originUrl: string | null;
}

/**
 * Maps an asset to an image (→ `ready`). Without `upsert`, an asset that is already mapped
 * (`ready`) is left alone and `null` is returned; a row that only records an unfinished or failed
 * ingest is taken over. One statement, so two concurrent calls cannot both win.
 */
export async function putReadyMapping(db: Db, m: NewReadyMapping, upsert: boolean): Promise<Mapping | null> {
  const now = nowIso();
  let rows: MappingRow[];
  try {
    rows = await db
      .insert(mappings)
      .values({ ...m, ...toReady(m.imageId), attempts: 0, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [mappings.source, mappings.key],
        set: {
          ...toReady(m.imageId),
          originUrl: sql`coalesce(excluded.origin_url, ${mappings.originUrl})`,
          updatedAt: now,
        },
        setWhere: upsert ? undefined : sql`${mappings.state} <> 'ready'`,
      })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
  if (!rows[0]) return null;
  await forgetAsset(m.source, m.key);
  return toMapping(rows[0]);
}

/** Points a mapping at another image (→ `ready`); null when there is no such mapping. */
export async function setMappingImage(db: Db, id: number, imageId: string): Promise<Mapping | null> {
  const rows = await db
    .update(mappings)
    .set({ ...toReady(imageId), updatedAt: nowIso() })
    .where(eq(mappings.id, id))
    .returning();
  if (!rows[0]) return null;
  await forgetAsset(rows[0].source, rows[0].key);
  return toMapping(rows[0]);
}

export async function deleteMapping(db: Db, id: number): Promise<Mapping | null> {
  const rows = await db.delete(mappings).where(eq(mappings.id, id)).returning();
  if (!rows[0]) return null;
  await forgetAsset(rows[0].source, rows[0].key);
  return toMapping(rows[0]);
}

export interface HitDelta {
  id: number;
  hits: number;
  lastHitAt: string;
}

const HIT_DELTAS_PER_STATEMENT = 1000;

/**
 * Adds buffered hit counts: one UPDATE … FROM json_each(?) per 1000 mappings (the deltas travel as
 * one JSON parameter, ≤ 40 KB), all in ONE atomic batch: either every count is written or none is,
 * so the caller can put them all back after a failure without counting any twice.
 */
const ADD_HITS = `UPDATE mappings
  SET hits = mappings.hits + json_extract(d.value, '$[1]'),
      last_hit_at = max(coalesce(mappings.last_hit_at, ''), json_extract(d.value, '$[2]'))
  FROM json_each(?1) AS d
  WHERE mappings.id = json_extract(d.value, '$[0]')`;

export async function addHits(db: Db, deltas: HitDelta[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < deltas.length; i += HIT_DELTAS_PER_STATEMENT) {
    const json = JSON.stringify(
      deltas.slice(i, i + HIT_DELTAS_PER_STATEMENT).map((d) => [d.id, d.hits, d.lastHitAt]),
    );
    statements.push(db.$client.prepare(ADD_HITS).bind(json));
  }
  if (statements.length > 0) await db.$client.batch(statements);
}
