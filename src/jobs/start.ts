import { getDb } from "../db/client";
import { failJob, getJob, insertItems, insertJob } from "../db/jobs";
import type { JobRow, JobType } from "../db/schema";
import { apiError } from "../errors";
import type { JobKind, JobPlan } from "./kind";
import { type JobMessage, sendMessages } from "./messages";

/**
 * Stores a planned job and its known items, then enqueues one message per pending item (and the
 * step that starts it) in sendBatch chunks. If the queue refuses, the job is marked failed and the
 * caller gets 503: a job never sits `queued` with messages that were never sent.
 */
export async function startJob(env: Env, type: JobType, kind: JobKind, plan: JobPlan): Promise<JobRow> {
  const queue = (env as Partial<Env>).JOBS;
  if (!queue)
    throw apiError(
      "queue_unavailable",
      "Jobs need a Queue bound as JOBS (wrangler.toml); this deployment has none",
    );
  const db = getDb(env, "primary");
  const job = await insertJob(db, { type, params: plan.params, listed: !plan.first });
  const pending = plan.items ? await insertItems(db, job.id, plan.items) : [];
  const bodies: JobMessage[] = pending.map((p) => ({ j: job.id, i: p.id }));
  if (plan.first) bodies.push({ j: job.id, ...plan.first });
  try {
    await sendMessages(queue, bodies);
  } catch (err) {
    console.error(JSON.stringify({ job: job.id, enqueue: err instanceof Error ? err.message : String(err) }));
    await failJob(db, job.id, "the JOBS queue refused its messages");
    throw apiError("queue_unavailable", `Job ${job.id} could not be enqueued: the JOBS queue refused it`);
  }
  return (await getJob(db, job.id)) ?? job;
}
