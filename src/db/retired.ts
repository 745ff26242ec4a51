import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "./client";
import { mappings, retiredImages } from "./schema";

/**
 * Retired images: replaced by a refresh (or dropped when the origin said their asset is gone),
 * deleted by the cron once `retire_after` has passed and no `ready` mapping points to them.
 * Retiring is written by the statements in ./refresh.ts, in the same batch as the switch.
 */
export interface RetiredImage {
  imageId: string;
  source: string;
  key: string | null;
}

/** Whether an image waits for deletion (lazy ingestion must not bring it back as a reuse). */
export async function isRetired(db: Db, imageId: string): Promise<boolean> {
  const row = await db
    .select({ id: retiredImages.imageId })
    .from(retiredImages)
    .where(eq(retiredImages.imageId, imageId))
    .get();
  return row !== undefined;
}

/** Retires one image nobody points to (an upload a lost refresh left behind): due at `after`. */
export async function retireImage(db: Db, image: RetiredImage, at: string, after: number): Promise<void> {
  await db
    .insert(retiredImages)
    .values({ ...image, retiredAt: at, retireAfter: after })
    .onConflictDoUpdate({
      target: retiredImages.imageId,
      set: { retireAfter: sql`max(${retiredImages.retireAfter}, excluded.retire_after)` },
    });
}

/** The oldest retired images whose wait is over, through the `retire_after` index. */
export async function dueRetiredImages(db: Db, now: number, limit: number): Promise<RetiredImage[]> {
  return db
    .select({ imageId: retiredImages.imageId, source: retiredImages.source, key: retiredImages.key })
    .from(retiredImages)
    .where(lte(retiredImages.retireAfter, now))
    .orderBy(asc(retiredImages.retireAfter))
    .limit(limit);
}

/** Which of these images a `ready` mapping points to (≤ 100 ids: one bound parameter each). */
export async function imagesInUse(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ imageId: mappings.imageId })
    .from(mappings)
    .where(and(inArray(mappings.imageId, ids), eq(mappings.state, "ready")));
  return new Set(rows.map((r) => r.imageId!));
}

/** Forgets retired images (deleted, or in use again). */
export async function dropRetired(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.delete(retiredImages).where(inArray(retiredImages.imageId, ids));
}

/** Moves an image whose deletion failed to the back of the queue. */
export async function postponeRetired(db: Db, imageId: string, until: number): Promise<void> {
  await db.update(retiredImages).set({ retireAfter: until }).where(eq(retiredImages.imageId, imageId));
}
