import { config } from "../config";
import { getDb } from "../db/client";
import { deleteExpiredUnmapped } from "../db/upkeep";
import type { UpkeepTask } from "./scheduled";

/** Rows per DELETE, and DELETEs per state per run: at most 10 000 rows a run, every 5 minutes. */
export const PURGE_BATCH = 500;
export const PURGE_ROUNDS = 10;

/**
 * Deletes `missing` rows whose negative TTL ended and `failed` rows whose retry time passed more
 * than FAILED_RETENTION seconds ago, when nobody asked for the asset again (see db/upkeep.ts).
 */
export const purgeUnmapped: UpkeepTask = {
  name: "purge-unmapped",
  async run(env, now) {
    const cfg = config(env);
    const db = getDb(env, "primary");
    const report = { missing: 0, failed: 0 };
    const windows = { missing: now, failed: now - cfg.failedRetention * 1000 } as const;
    for (const state of ["missing", "failed"] as const) {
      for (let round = 0; round < PURGE_ROUNDS; round++) {
        const n = await deleteExpiredUnmapped(db, state, windows[state], PURGE_BATCH);
        report[state] += n;
        if (n < PURGE_BATCH) break;
      }
    }
    return report;
  },
};
