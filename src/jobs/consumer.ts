import { type Config, config } from "../config";
import { type Db, getDb } from "../db/client";
import {
  completeStage,
  failJob,
  getJob,
  type ItemOutcomeColumns,
  markListed,
  recordAttempt,
  settleItems,
  startBatch,
} from "../db/jobs";
import type { JobItemRow, JobRow, JobState } from "../db/schema";
import type { ItemOutcome, JobKind } from "./kind";
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
 * The JOBS queue's consumer (and its dead-letter queue's). Per batch: one round trip starts it
 * (jobs marked running, jobs and items read), then up to JOB_CONCURRENCY messages at a time go
 * through their job type. Outcomes are written a few at a time in one statement each, and a
 * message is acknowledged only once its outcome is stored. A failure worth retrying is retried by
 * the queue after a backoff (`msg.retry({ delaySeconds })`) until the item's attempts are spent;
 * anything thrown is retried by the queue and, after `max_retries`, dead-lettered — and recorded
 * as failed from there.
 */
const ACTIVE = new Set<JobState>(["queued", "running"]);
/** The longest delay a message may get (Queues: 24 hours). */
const MAX_DELAY_SECONDS = 86_400;
/** How old what a batch knows of a job's state may be before an item's costly step (ms). */
const STATE_TTL_MS = 1000;
/** Outcomes written per statement, and how long one may wait for others (ms). */
const FLUSH_OUTCOMES = 25;
const FLUSH_AFTER_MS = 500;

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
  const itemIds = dead ? [] : messages.flatMap((m) => (isStep(m.body) ? [] : [m.body.i]));
  const start = await startBatch(db, jobIds, itemIds);
  const run = new BatchRun(env, cfg, db, start.jobs);
  const items = new Map(start.items.map((i) => [i.id, i]));

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
  await run.flush();
  for (const id of run.settled) {
    const job = run.job(id);
    if (job) await advanceJob(env, db, job);
  }
}

class BatchRun {
  /** Jobs whose items settled in this batch: they may be complete now. */
  readonly settled = new Set<number>();
  private readonly jobs: Map<number, JobRow>;
  private readonly known = new Map<number, { state: JobState; at: number }>();
  private pending: { m: Message<JobMessage>; o: ItemOutcomeColumns }[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly env: Env,
    private readonly cfg: Config,
    private readonly db: Db,
    jobs: JobRow[],
  ) {
    this.jobs = new Map(jobs.map((j) => [j.id, j]));
    for (const j of jobs) this.known.set(j.id, { state: j.state, at: Date.now() });
  }

  job(id: number): JobRow | undefined {
    return this.jobs.get(id);
  }

  private kind(job: JobRow): JobKind | undefined {
    return JOB_KINDS[job.type];
  }

  /**
   * Whether the job is still queued or running, as last learnt (from the batch's start or the
   * latest write of outcomes), read again when that is more than a second old: a cancel stops
   * the items of a running batch within a second, before their next costly step.
   */
  async active(id: number): Promise<boolean> {
    let k = this.known.get(id);
    if (!k || Date.now() - k.at > STATE_TTL_MS) {
      const job = await getJob(this.db, id);
      k = { state: job?.state ?? "cancelled", at: Date.now() };
      this.known.set(id, k);
    }
    return ACTIVE.has(k.state);
  }

  async item(m: Message<ItemMessage>, item: JobItemRow | undefined): Promise<void> {
    const job = this.jobs.get(m.body.j);
    // Settled (e.g. skipped by a cancel), or its job is gone or no longer running: nothing to do.
    if (!job || !item || item.jobId !== job.id || item.state !== "pending" || !ACTIVE.has(job.state)) {
      return m.ack();
    }
    const kind = this.kind(job);
    const outcome: ItemOutcome = kind
      ? await kind.item({
          env: this.env,
          cfg: this.cfg,
          job,
          item,
          message: m.body,
          deliveries: m.attempts,
          active: () => this.active(job.id),
        })
      : { state: "failed", reason: "unsupported", error: `no ${job.type} jobs here` };
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
    await this.record(m, { id: item.id, ...outcome, attempt: outcome.state === "failed" });
  }

  /** Queues an outcome for the next write; the message is acknowledged once it is stored. */
  private async record(m: Message<JobMessage>, o: ItemOutcomeColumns): Promise<void> {
    this.pending.push({ m, o });
    if (this.pending.length >= FLUSH_OUTCOMES || Date.now() - this.lastFlush >= FLUSH_AFTER_MS)
      await this.flush();
  }

  async flush(): Promise<void> {
    const taken = this.pending.splice(0);
    this.lastFlush = Date.now();
    if (taken.length === 0) return;
    try {
      const rows = await settleItems(
        this.db,
        taken.map((t) => t.o),
      );
      for (const r of rows) {
        this.known.set(r.jobId, { state: r.jobState, at: Date.now() });
        this.settled.add(r.jobId);
      }
      for (const t of taken) t.m.ack();
    } catch (err) {
      console.error(JSON.stringify({ settle: taken.length, error: errorText(err) }));
      for (const t of taken) t.m.retry();
    }
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
      return m.ack();
    }
    await this.record(m, { id: m.body.i, state: "failed", reason: "dead_letter", error: why, attempt: true });
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
  const next = JOB_KINDS[job.type]?.afterItems;
  const moved = await completeStage(db, job.id, "items", next ? next.stage : "done");
  if (!moved || !next) return;
  try {
    await sendMessages(env.JOBS, [{ j: job.id, s: next.step, n: 0 }]);
  } catch (err) {
    await failJob(db, job.id, `could not enqueue the '${next.step}' step: ${errorText(err)}`);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
