import { eq, sql } from "drizzle-orm";
import { forgetAllAssets, forgetSources } from "../cache";
import type { Source } from "../sources/types";
import { type Db, isForeignKeyViolation, isUniqueViolation } from "./client";
import { mappings, sourceFailures, sourceStats, sources } from "./schema";

export async function listSources(db: Db): Promise<Source[]> {
  return db.select().from(sources).orderBy(sources.id);
}

export async function getSource(db: Db, id: string): Promise<Source | null> {
  return (await db.select().from(sources).where(eq(sources.id, id)).get()) ?? null;
}

/** Inserts a source; returns false when the id is taken. */
export async function insertSource(db: Db, source: Source): Promise<boolean> {
  try {
    await db.insert(sources).values(source);
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
  forgetSources();
  return true;
}

/** Replaces every field but id/createdAt; returns false when the source no longer exists. */
export async function replaceSource(db: Db, source: Source): Promise<boolean> {
  const { id, createdAt: _createdAt, ...fields } = source;
  const res = await db.update(sources).set(fields).where(eq(sources.id, id)).returning({ id: sources.id });
  forgetSources();
  return res.length > 0;
}

export type DeleteSourceOutcome = "deleted" | "not_found" | "has_mappings";

/**
 * Deletes a source. Without `cascade` the foreign key on mappings refuses the delete while any
 * mapping exists (a mapping inserted concurrently cannot slip in between a check and the delete).
 * With `cascade` the mappings and the source go in one atomic batch.
 */
export async function deleteSource(
  db: Db,
  id: string,
  cascade: boolean,
): Promise<{ outcome: DeleteSourceOutcome; mappingsDeleted: number }> {
  let result: { outcome: DeleteSourceOutcome; mappingsDeleted: number };
  try {
    if (cascade) {
      // Counted in the same atomic batch: meta.changes would include the stats triggers' writes.
      const [counted, , deletedSource] = await db.batch([
        db
          .select({ n: sql<number>`count(*)` })
          .from(mappings)
          .where(eq(mappings.source, id)),
        db.delete(mappings).where(eq(mappings.source, id)),
        db.delete(sources).where(eq(sources.id, id)),
        db.delete(sourceStats).where(eq(sourceStats.source, id)),
        db.delete(sourceFailures).where(eq(sourceFailures.source, id)),
      ]);
      result =
        deletedSource.meta.changes === 0
          ? { outcome: "not_found", mappingsDeleted: 0 }
          : { outcome: "deleted", mappingsDeleted: counted[0]?.n ?? 0 };
    } else {
      const [deleted] = await db.batch([
        db.delete(sources).where(eq(sources.id, id)).returning({ id: sources.id }),
        db.delete(sourceStats).where(eq(sourceStats.source, id)),
        db.delete(sourceFailures).where(eq(sourceFailures.source, id)),
      ]);
      result = { outcome: deleted.length ? "deleted" : "not_found", mappingsDeleted: 0 };
    }
  } catch (err) {
    if (isForeignKeyViolation(err)) return { outcome: "has_mappings", mappingsDeleted: 0 };
    throw err;
  }
  if (result.outcome === "deleted") {
    forgetSources();
    if (result.mappingsDeleted > 0) forgetAllAssets();
  }
  return result;
}

export async function countMappingsOfSource(db: Db, id: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(mappings)
    .where(eq(mappings.source, id))
    .get();
  return row?.n ?? 0;
}
