import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import type { Db } from "./client";
import { mappings } from "./schema";

/** A page of `ready` mappings in id order, as an export writes them: `{source, key, imageId}`. */
export async function readyMappingsAfter(
  db: Db,
  afterId: number,
  limit: number,
): Promise<{ id: number; source: string; key: string; imageId: string }[]> {
  const rows = await db
    .select({ id: mappings.id, source: mappings.source, key: mappings.key, imageId: mappings.imageId })
    .from(mappings)
    .where(and(eq(mappings.state, "ready"), isNotNull(mappings.imageId), gt(mappings.id, afterId)))
    .orderBy(asc(mappings.id))
    .limit(limit);
  return rows as { id: number; source: string; key: string; imageId: string }[];
}
