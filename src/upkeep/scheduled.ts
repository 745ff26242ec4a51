import { advanceStalledJobs } from "../jobs/upkeep";
import { hookDeliveriesTask, retiredImagesTask, revalidateTask } from "../sync/upkeep";
import { purgeUnmapped } from "./unmapped";

/**
 * Periodic upkeep, run by the Cron Trigger (`[triggers] crons` in wrangler.toml). Each task does a
 * bounded amount of work per run (bounded batches, within the Workers subrequest limit) and
 * reports what it did; one task failing never stops the others.
 */
export interface UpkeepTask {
  name: string;
  run(env: Env, now: number): Promise<Record<string, number>>;
}

/** The tasks, in the order they run. */
export const UPKEEP_TASKS: UpkeepTask[] = [
  revalidateTask,
  retiredImagesTask,
  hookDeliveriesTask,
  purgeUnmapped,
  advanceStalledJobs,
];

export async function runUpkeep(
  env: Env,
  now: number,
  tasks = UPKEEP_TASKS,
): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  for (const task of tasks) {
    try {
      report[task.name] = await task.run(env, now);
    } catch (err) {
      console.error(
        JSON.stringify({ upkeep: task.name, error: err instanceof Error ? err.message : String(err) }),
      );
      report[task.name] = { error: 1 };
    }
  }
  return report;
}
