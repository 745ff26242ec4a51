import { inArray, lte } from "drizzle-orm";
import type { Db } from "./client";
import { hookDeliveries } from "./schema";

/**
 * Records a webhook delivery by its identity (source and signature). True the first time; false
 * for a replay, which then changes nothing. One conditional insert, so of two identical deliveries
 * arriving at once exactly one is accepted.
 */
export async function firstDelivery(db: Db, id: string, expiresAt: number): Promise<boolean> {
  const rows = await db
    .insert(hookDeliveries)
    .values({ id, expiresAt })
    .onConflictDoNothing()
    .returning({ id: hookDeliveries.id });
  return rows.length > 0;
}

/** Deletes up to `limit` delivery records whose timestamps would be refused by now anyway. */
export async function purgeDeliveries(db: Db, now: number, limit: number): Promise<number> {
  const expired = db
    .select({ id: hookDeliveries.id })
    .from(hookDeliveries)
    .where(lte(hookDeliveries.expiresAt, now))
    .limit(limit);
  const rows = await db
    .delete(hookDeliveries)
    .where(inArray(hookDeliveries.id, expired))
    .returning({ id: hookDeliveries.id });
  return rows.length;
}
