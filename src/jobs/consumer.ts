import { type Config, config } from "../config";
import { type Db, getDb } from "../db/client";
import {
  completeStage,
  failJob,
  getItems,
  getJob,
  getJobs,
  markListed,
  markRunning,
  recordAttempt,
  settleItem,
} from "../db/jobs";
import type { JobItemRow, JobRow } from "../db/schema";
import type { JobKind } from "./kind";
import {
  type ItemMessage,
  isJobMessage,
  isStep,
  type JobMessage,
  sendMessages,
  type StepMessage,
} from "./messages";
import { JOB_KINDS } from "./registry";

/**
 * The JOBS queue's consumer (and its dead-letter queue's). Per batch: one read of the jobs, one of
 * the items, then up to JOB_CONCURRENCY messages at a time through their job type. An item's
 * outcome is recorded in D1 as it happens; a failure worth retrying is retried by the queue after a
 * backoff (`msg.retry({ delaySeconds })`) until the item's attempts are spent; anything thrown is
 * retried by the queue and, after `max_retries`, dead-lettered — and recorded as failed from there.
 */
const ACTIVE = new Set<JobRow["state"]>(["queued", "running"]);
/** The longest delay a message may get (Queues: 24 hours). */
const MAX_DELAY_SECONDS = 86_400;

export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const dead = batch.queue.endsWith("-dlq");
  const cfg = config(env);
  const db = getDb(env, "primary");
  const messages: Message<JobMessage>[] = [];
  for (const m of batch.messages) {
    if (isJobMessage(m.body)) messages.push(m as Message<JobMessage>);
    else {
      console.error(JSON.stringify({ queue: batch.queue, dropped: "not a job message", id: m.id }));
      m.ack();
    }
  }
  const jobIds = [...new Set(messages.map((m) => m.body.j))];
  await markRunning(db, jobIds);
  const run = new BatchRun(env, cfg, db, new Map((await getJobs(db, jobIds)).map((j) => [j.id, j])));
  const itemIds = messages.flatMap((m) => (isStep(m.body) ? [] : [m.body.i]));
  const items = new Map((await getItems(db, itemIds)).map((i) => [i.id, i]));

  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const m = messages[next++]!;
      try {
        if (dead) await run.deadLetter(m);
        else if (isStep(m.body)) await run.step(m as Message<StepMessage>);
        else await run.item(m as Message<ItemMessage>, items.get(m.body.i));
      } catch (err) {
        console.error(JSON.stringify({ job: m.body.j, message: m.body, error: errorText(err) }));
        m.retry();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.jobConcurrency, messages.length) }, worker));
  for (const id of run.settled) {
    const job = run.job(id);
    if (job) await advanceJob(env, db, job);
  }
}

class BatchRun {
  /** Jobs whose items settled in this batch: they may be complete now. */
  readonly settled = new Set<number>();

  constructor(
    private readonly env: Env,
    private readonly cfg: Config,
    private readonly db: Db,
    private readonly jobs: Map<number, JobRow>,
  ) {}

  job(id: number): JobRow | undefined {
    return this.jobs.get(id);
  }

  private kind(job: JobRow): JobKind | undefined {
    return JOB_KINDS[job.type];
  }

  /** Whether the job is still queued or running: read afresh (one row) before an item's costly step. */
  async active(id: number): Promise<boolean> {
    const job = await getJob(this.db, id);
    return job !== null && ACTIVE.has(job.state);
  }

  async item(m: Message<ItemMessage>, item: JobItemRow | undefined): Promise<void> {
    const job = this.jobs.get(m.body.j);
    // Settled (e.g. skipped by a cancel), or its job is gone or no longer running: nothing to do.
    if (!job || !item || item.jobId !== job.id || item.state !== "pending" || !ACTIVE.has(job.state)) {
      return m.ack();
    }
    const kind = this.kind(job);
    if (!kind) {
      await settleItem(this.db, item.id, {
        state: "failed",
        reason: "unsupported",
        error: `no ${job.type} jobs here`,
      });
      this.settled.add(job.id);
      return m.ack();
    }
    const outcome = await kind.item({
      env: this.env,
      cfg: this.cfg,
      job,
      item,
      message: m.body,
      deliveries: m.attempts,
      active: () => this.active(job.id),
    });
    if (outcome.state === "later")
      return m.retry({ delaySeconds: Math.min(MAX_DELAY_SECONDS, outcome.delaySeconds) });
    const failures = item.attempts + 1;
    if (
      outcome.state === "failed" &&
      outcome.retry &&
      failures < this.cfg.jobMaxAttempts &&
      (await this.active(job.id))
    ) {
      await recordAttempt(this.db, item.id, outcome.reason, outcome.error);
      return m.retry({ delaySeconds: retryDelay(this.cfg, failures) });
    }
    await settleItem(this.db, item.id, { ...outcome, attempt: outcome.state === "failed" });
    this.settled.add(job.id);
    m.ack();
  }

  async step(m: Message<StepMessage>): Promise<void> {
    const job = this.jobs.get(m.body.j);
    if (!job || !ACTIVE.has(job.state)) return m.ack();
    const step = this.kind(job)?.steps?.[m.body.s];
    if (!step) {
      console.error(JSON.stringify({ job: job.id, dropped: `no step '${m.body.s}' for ${job.type} jobs` }));
      return m.ack();
    }
    await step({
      env: this.env,
      cfg: this.cfg,
      job,
      message: m.body,
      listed: async () => {
        await markListed(this.db, job.id);
        await advanceJob(this.env, this.db, job);
      },
    });
    m.ack();
  }

  /** A message the queue gave up on: its item (or, for a step, its job) is recorded as failed. */
  async deadLetter(m: Message<JobMessage>): Promise<void> {
    const why = `the queue gave up after ${m.attempts} deliveries (see the Worker's logs)`;
    if (isStep(m.body)) {
      await failJob(this.db, m.body.j, `step '${m.body.s}' failed: ${why}`);
    } else {
      await settleItem(this.db, m.body.i, {
        state: "failed",
        reason: "dead_letter",
        error: why,
        attempt: true,
      });
      this.settled.add(m.body.j);
    }
    m.ack();
  }
}

/** Backoff before attempt `failures + 1`: JOB_RETRY_BASE seconds, doubled per failed attempt. */
export function retryDelay(cfg: Config, failures: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.round(cfg.jobRetryBase * 2 ** Math.max(0, failures - 1)));
}

/**
 * Once every item of a job has settled (and all are known), the job moves on: to the stage its
 * type runs after its items (whose first step is enqueued), or to `done`. Exactly one caller wins.
 */
export async function advanceJob(env: Env, db: Db, job: Pick<JobRow, "id" | "type">): Promise<void> {
  const { id } = job;
  const next = JOB_KINDS[job.type]?.afterItems;
  const moved = await completeStage(db, id, "items", next ? next.stage : "done");
  if (!moved || !next) return;
  try {
    await sendMessages(env.JOBS, [{ j: id, s: next.step, n: 0 }]);
  } catch (err) {
    await failJob(db, id, `could not enqueue the '${next.step}' step: ${errorText(err)}`);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
