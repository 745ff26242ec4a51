import { sql } from "drizzle-orm";
import type { Db } from "./client";

/** The cheapest statement D1 can answer: proves it is reachable. */
export async function pingD1(db: Db): Promise<void> {
  await db.run(sql`SELECT 1`);
}
