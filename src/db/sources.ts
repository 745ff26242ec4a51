import { eq, sql } from "drizzle-orm";
import type { Source } from "../sources/types";
import { type Db, isForeignKeyViolation, isUniqueViolation } from "./client";
import { mappings, type SourceRow, sourceFailures, sourceStats, sources } from "./schema";

export function toSource(row: SourceRow): Source {
  return {
    id: row.id,
    kind: row.kind,
    host: row.host,
    pathPrefix: row.pathPrefix,
    origin: row.origin,
    onMiss: row.onMiss,
    redirectStatus: row.redirectStatus as Source["redirectStatus"],
    defaultVariant: row.defaultVariant,
    requireSignedURLs: row.requireSignedURLs,
    options: row.options ?? {},
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function listSources(db: Db): Promise<Source[]> {
  const rows = await db.select().from(sources).orderBy(sources.id);
  return rows.map(toSource);
}

export async function getSource(db: Db, id: string): Promise<Source | null> {
  const row = await db.select().from(sources).where(eq(sources.id, id)).get();
  return row ? toSource(row) : null;
}

/** Inserts a source; returns false when the id is taken. */
export async function insertSource(db: Db, source: Source): Promise<boolean> {
  try {
    await db.insert(sources).values(source);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Replaces every field but id/createdAt; returns false when the source no longer exists. */
export async function replaceSource(db: Db, source: Source): Promise<boolean> {
  const { id, createdAt: _createdAt, ...fields } = source;
  const res = await db.update(sources).set(fields).where(eq(sources.id, id)).returning({ id: sources.id });
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
      if (deletedSource.meta.changes === 0) return { outcome: "not_found", mappingsDeleted: 0 };
      return { outcome: "deleted", mappingsDeleted: counted[0]?.n ?? 0 };
    }
    const [deleted] = await db.batch([
      db.delete(sources).where(eq(sources.id, id)).returning({ id: sources.id }),
      db.delete(sourceStats).where(eq(sourceStats.source, id)),
      db.delete(sourceFailures).where(eq(sourceFailures.source, id)),
    ]);
    return { outcome: deleted.length ? "deleted" : "not_found", mappingsDeleted: 0 };
  } catch (err) {
    if (isForeignKeyViolation(err)) return { outcome: "has_mappings", mappingsDeleted: 0 };
    throw err;
  }
}

export async function countMappingsOfSource(db: Db, id: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(mappings)
    .where(eq(mappings.source, id))
    .get();
  return row?.n ?? 0;
}
