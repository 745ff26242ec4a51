import { and, eq } from "drizzle-orm";
import { forgetAssets } from "../cache";
import { type Db, nowIso } from "./client";
import { mappings } from "./schema";
import { toOrphaned } from "./transitions";

/** A mapping that pointed to an image, as the image DELETE answer names it. */
export interface AffectedMapping {
  id: number;
  source: string;
  key: string;
}

/**
 * Marks every `ready` mapping of an image `orphaned`, in one statement through the `image_id`
 * index, and returns them. Only `ready` rows are redirected, so only they are touched: a row that is
 * `ingesting` may still carry the id of an image it used to point to while its new lease runs, and
 * must not lose that lease. `image_id` is kept, so an operator can see what the mapping pointed to;
 * the redirect path treats `orphaned` like an unmapped asset (`onMiss`).
 */
export async function orphanMappingsOfImage(db: Db, imageId: string): Promise<AffectedMapping[]> {
  const affected = await db
    .update(mappings)
    .set({ ...toOrphaned(`image '${imageId}' was deleted from Images`), updatedAt: nowIso() })
    .where(and(eq(mappings.imageId, imageId), eq(mappings.state, "ready")))
    .returning({ id: mappings.id, source: mappings.source, key: mappings.key });
  await forgetAssets(affected);
  return affected;
}
