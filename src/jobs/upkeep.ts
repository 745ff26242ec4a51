import { getDb } from "../db/client";
import { stalledJobs } from "../db/jobs";
import type { UpkeepTask } from "../upkeep/scheduled";
import { advanceJob } from "./consumer";

/** Jobs moved on per cron run (each costs a statement and at most one message). */
const MAX_PER_RUN = 50;

/**
 * A safety net for the one write a job cannot redo by itself: moving on once its last items have
 * settled (if that write or its message was lost, no message is left to try again). Finds running
 * jobs whose items have all settled and moves them on, exactly as the consumer would have.
 */
export const advanceStalledJobs: UpkeepTask = {
  name: "advance-stalled-jobs",
  async run(env) {
    const db = getDb(env, "primary");
    const stalled = await stalledJobs(db, MAX_PER_RUN);
    for (const job of stalled) await advanceJob(env, db, job);
    return { advanced: stalled.length };
  },
};
