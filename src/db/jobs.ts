import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from "drizzle-orm";
import { type Db, nowIso } from "./client";
import {
  type ItemState,
  type JobItemRow,
  type JobRow,
  type JobState,
  type JobType,
  jobItems,
  jobs,
} from "./schema";

/**
 * Jobs and their items (docs/storage.md). A job's counters (`total`, `succeeded`, `failed`,
 * `skipped`, `bytes`) are written only by the triggers on `job_items` (migration 0008): every
 * function here changes items and lets SQLite keep the job row exact in the same statement.
 */

/** An item as written when a job is created or a page of its work is discovered. */
export interface NewItem {
  ref: string;
  line: number | null;
  input: Record<string, unknown>;
  state: ItemState;
  reason?: string | null;
  error?: string | null;
}

/** Rows per INSERT … SELECT FROM json_each(?), and bytes of that one JSON parameter (D1: ≤ 1 MB). */
const ITEMS_PER_STATEMENT = 1000;
const JSON_BYTES_PER_STATEMENT = 900_000;
/** Statements per atomic db.batch round trip. */
const STATEMENTS_PER_BATCH = 25;

/**
 * ?1 job id, ?2 timestamp, ?3 JSON array of [ref, line, input, state, reason, error]. An item that
 * exists already (a page listed twice) is left as it is and returned while still pending, so its
 * message can be sent again; a settled one is not returned.
 */
const INSERT_ITEMS =
  "INSERT INTO job_items (job_id, ref, line, input, state, reason, error, updated_at) " +
  "SELECT ?1, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, ?2 " +
  "FROM json_each(?3) AS j WHERE true " +
  "ON CONFLICT (job_id, ref) DO UPDATE SET ref = excluded.ref WHERE job_items.state = 'pending' " +
  "RETURNING id, ref, state";

export interface InsertedItem {
  id: number;
  ref: string;
  state: ItemState;
}

/** Inserts items in few statements, chunked by rows and by bytes; returns the pending ones. */
export async function insertItems(db: Db, jobId: number, items: NewItem[]): Promise<InsertedItem[]> {
  const now = nowIso();
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    statements.push(db.$client.prepare(INSERT_ITEMS).bind(jobId, now, `[${chunk.join(",")}]`));
    chunk = [];
    bytes = 0;
  };
  for (const it of items) {
    const row = JSON.stringify([
      it.ref,
      it.line,
      JSON.stringify(it.input),
      it.state,
      it.reason ?? null,
      it.error ?? null,
    ]);
    if (chunk.length >= ITEMS_PER_STATEMENT || bytes + row.length > JSON_BYTES_PER_STATEMENT) flush();
    chunk.push(row);
    bytes += row.length + 1;
  }
  flush();
  const pending: InsertedItem[] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const results = await db.$client.batch<InsertedItem>(statements.slice(i, i + STATEMENTS_PER_BATCH));
    for (const r of results) for (const row of r.results) if (row.state === "pending") pending.push(row);
  }
  return pending;
}

export async function insertJob(
  db: Db,
  job: { type: JobType; params: Record<string, unknown>; listed: boolean; stage?: string },
): Promise<JobRow> {
  const now = nowIso();
  const [row] = await db
    .insert(jobs)
    .values({
      type: job.type,
      state: "queued",
      stage: job.stage ?? "items",
      listed: job.listed,
      params: job.params,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function getJob(db: Db, id: number): Promise<JobRow | null> {
  return (await db.select().from(jobs).where(eq(jobs.id, id)).get()) ?? null;
}

export interface JobFilter {
  state?: JobState;
  type?: JobType;
  /** Exclusive: jobs with a smaller id (newest first). */
  beforeId?: number;
  limit: number;
}

export async function listJobs(db: Db, f: JobFilter): Promise<{ items: JobRow[]; more: boolean }> {
  const where: SQL[] = [];
  if (f.state) where.push(eq(jobs.state, f.state));
  if (f.type) where.push(eq(jobs.type, f.type));
  if (f.beforeId !== undefined) where.push(lt(jobs.id, f.beforeId));
  const rows = await db
    .select()
    .from(jobs)
    .where(and(...where))
    .orderBy(desc(jobs.id))
    .limit(f.limit + 1);
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** An active job of `type` whose params have this prefix (export and restore work on one each). */
export async function activeJobOnPrefix(db: Db, type: JobType, prefix: string): Promise<JobRow | null> {
  const row = await db
    .select()
    .from(jobs)
    .where(
      and(
        inArray(jobs.state, ["queued", "running"]),
        eq(jobs.type, type),
        sql`json_extract(${jobs.params}, '$.prefix') = ${prefix}`,
      ),
    )
    .get();
  return row ?? null;
}

export interface ItemFilter {
  jobId: number;
  state?: ItemState;
  afterId?: number;
  limit: number;
}

export async function listItems(db: Db, f: ItemFilter): Promise<{ items: JobItemRow[]; more: boolean }> {
  const where: SQL[] = [eq(jobItems.jobId, f.jobId)];
  if (f.state) where.push(eq(jobItems.state, f.state));
  if (f.afterId !== undefined) where.push(gt(jobItems.id, f.afterId));
  const rows = await db
    .select()
    .from(jobItems)
    .where(and(...where))
    .orderBy(asc(jobItems.id))
    .limit(f.limit + 1);
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** Items of a job by ref (e.g. the image ids a mapping part points to), through the unique index. */
export async function itemsByRef(db: Db, jobId: number, refs: string[]): Promise<JobItemRow[]> {
  const out: JobItemRow[] = [];
  // The refs travel as one JSON parameter per query, kept well below D1's 1 MB per value.
  for (let start = 0; start < refs.length;) {
    let bytes = 0;
    let end = start;
    while (end < refs.length && (end === start || bytes + refs[end]!.length * 3 < 500_000))
      bytes += refs[end++]!.length * 3 + 4;
    const json = JSON.stringify(refs.slice(start, end));
    start = end;
    out.push(
      ...(await db
        .select()
        .from(jobItems)
        .where(
          and(eq(jobItems.jobId, jobId), sql`${jobItems.ref} IN (SELECT value FROM json_each(${json}))`),
        )),
    );
  }
  return out;
}

/**
 * The start of a consumer batch, in one round trip: its queued jobs become running, then the jobs
 * and the items (at most 100 ids: within D1's bound-parameter limit) are read.
 */
export async function startBatch(
  db: Db,
  jobIds: number[],
  itemIds: number[],
): Promise<{ jobs: JobRow[]; items: JobItemRow[] }> {
  if (jobIds.length === 0) return { jobs: [], items: [] };
  const now = nowIso();
  const [, jobRows, itemRows] = await db.batch([
    db
      .update(jobs)
      .set({ state: "running", startedAt: now, updatedAt: now })
      .where(and(inArray(jobs.id, jobIds), eq(jobs.state, "queued"))),
    db.select().from(jobs).where(inArray(jobs.id, jobIds)),
    db
      .select()
      .from(jobItems)
      .where(inArray(jobItems.id, itemIds.length ? itemIds : [-1])),
  ]);
  return { jobs: jobRows, items: itemRows };
}

export interface ItemOutcomeColumns {
  id: number;
  state: Exclude<ItemState, "pending">;
  reason?: string | null;
  error?: string | null;
  result?: string | null;
  bytes?: number | null;
  /** Count this as a failed attempt. */
  attempt?: boolean;
}

/**
 * ?1 JSON array of [id, state, reason, error, result, bytes, attempt], ?2 timestamp. A pending item
 * takes its outcome; so does one a cancel skipped while it was in flight, when the outcome is real
 * work done (it happened: the counts must say so). Returns each settled item's job and that job's
 * state now (so a consumer learns of a cancel without reading the job again).
 */
const SETTLE_ITEMS =
  "UPDATE job_items SET state = o.value->>1, reason = o.value->>2, error = o.value->>3, " +
  "result = o.value->>4, bytes = o.value->>5, attempts = job_items.attempts + (o.value->>6), updated_at = ?2 " +
  "FROM json_each(?1) AS o WHERE job_items.id = o.value->>0 AND (job_items.state = 'pending' " +
  "OR (job_items.reason = 'cancelled' AND o.value->>1 = 'succeeded')) " +
  "RETURNING job_items.job_id AS jobId, (SELECT state FROM jobs WHERE jobs.id = job_items.job_id) AS jobState";

/** Records many items' outcomes in one statement (the triggers count them in the same statement). */
export async function settleItems(
  db: Db,
  outcomes: ItemOutcomeColumns[],
): Promise<{ jobId: number; jobState: JobState }[]> {
  if (outcomes.length === 0) return [];
  const json = JSON.stringify(
    outcomes.map((o) => [
      o.id,
      o.state,
      o.reason ?? null,
      o.error ?? null,
      o.result ?? null,
      o.bytes ?? null,
      o.attempt ? 1 : 0,
    ]),
  );
  const { results } = await db.$client
    .prepare(SETTLE_ITEMS)
    .bind(json, nowIso())
    .all<{ jobId: number; jobState: JobState }>();
  return results;
}

/** A failed attempt of an item that will be tried again: counted, the item stays pending. */
export async function recordAttempt(
  db: Db,
  id: number,
  reason: string,
  error: string,
): Promise<number | null> {
  const rows = await db
    .update(jobItems)
    .set({ attempts: sql`${jobItems.attempts} + 1`, reason, error, updatedAt: nowIso() })
    .where(and(eq(jobItems.id, id), eq(jobItems.state, "pending")))
    .returning({ attempts: jobItems.attempts });
  return rows[0]?.attempts ?? null;
}

/**
 * Moves a running job past its item stage once every item has settled and all are known: to
 * `next` (another stage) or to `done`. One conditional statement, so of any number of consumers
 * finishing the last items at once exactly one gets the row back and starts what comes next.
 */
export async function completeStage(
  db: Db,
  id: number,
  stage: string,
  next: string | "done",
): Promise<JobRow | null> {
  const now = nowIso();
  const rows = await db
    .update(jobs)
    .set(
      next === "done"
        ? { state: "done", stage: "done", finishedAt: now, updatedAt: now }
        : { stage: next, updatedAt: now },
    )
    .where(
      and(
        eq(jobs.id, id),
        eq(jobs.state, "running"),
        eq(jobs.stage, stage),
        eq(jobs.listed, true),
        sql`${jobs.succeeded} + ${jobs.failed} + ${jobs.skipped} >= ${jobs.total}`,
      ),
    )
    .returning();
  return rows[0] ?? null;
}

/** Every item of the job is known now (the last page was listed). */
export async function markListed(db: Db, id: number, output?: Record<string, unknown>): Promise<void> {
  await db
    .update(jobs)
    .set({ listed: true, updatedAt: nowIso(), ...(output ? { output: mergeOutput(output) } : {}) })
    .where(eq(jobs.id, id));
}

const mergeOutput = (patch: Record<string, unknown>) =>
  sql`json_patch(${jobs.output}, ${JSON.stringify(patch)})`;

/** Merges `patch` into the job's output (RFC 7396: arrays are replaced, null deletes). */
export async function patchJobOutput(db: Db, id: number, patch: Record<string, unknown>): Promise<void> {
  await db
    .update(jobs)
    .set({ output: mergeOutput(patch), updatedAt: nowIso() })
    .where(eq(jobs.id, id));
}

/** A step of a running job finished: merges its output and, with `done`, settles the job. */
export async function finishJob(db: Db, id: number, patch: Record<string, unknown>): Promise<JobRow | null> {
  const now = nowIso();
  const rows = await db
    .update(jobs)
    .set({ state: "done", stage: "done", output: mergeOutput(patch), finishedAt: now, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.state, "running")))
    .returning();
  return rows[0] ?? null;
}

/** The job cannot go on (its step was dead-lettered, its queue refused the messages, …). */
export async function failJob(db: Db, id: number, error: string): Promise<JobRow | null> {
  const now = nowIso();
  const rows = await db
    .update(jobs)
    .set({ state: "failed", error: error.slice(0, 1000), finishedAt: now, updatedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ["queued", "running"])))
    .returning();
  return rows[0] ?? null;
}

/**
 * Cancels a job that has not settled: the job is `cancelled` at once and, in the same atomic
 * batch, every item not yet settled is `skipped` (reason `cancelled`), so nothing waiting in the
 * queue fetches anything. Null when the job is already settled (or does not exist).
 */
export async function cancelJob(db: Db, id: number): Promise<JobRow | null> {
  const now = nowIso();
  const [cancelled] = await db.batch([
    db
      .update(jobs)
      .set({ state: "cancelled", finishedAt: now, updatedAt: now })
      .where(and(eq(jobs.id, id), inArray(jobs.state, ["queued", "running"])))
      .returning({ id: jobs.id }),
    db
      .update(jobItems)
      .set({ state: "skipped", reason: "cancelled", error: "the job was cancelled", updatedAt: now })
      .where(
        and(
          eq(jobItems.jobId, id),
          eq(jobItems.state, "pending"),
          sql`(SELECT state FROM jobs WHERE id = ${id}) = 'cancelled'`,
        ),
      ),
  ]);
  if (cancelled.length === 0) return null;
  return getJob(db, id);
}

/**
 * Steps of a job that run as a chain of messages (pages listed, parts written) count their
 * progress in the job's output under `counter`: message `n` moves it from n to n + 1. A message
 * delivered twice finds it moved on and stops, so a chain never forks. True when this call moved it.
 */
export async function advanceStep(db: Db, id: number, counter: string, n: number): Promise<boolean> {
  const path = `$.${counter}`;
  const rows = await db
    .update(jobs)
    .set({ output: sql`json_set(${jobs.output}, ${path}, ${n + 1})`, updatedAt: nowIso() })
    .where(
      and(
        eq(jobs.id, id),
        eq(jobs.state, "running"),
        sql`coalesce(json_extract(${jobs.output}, ${path}), 0) = ${n}`,
      ),
    )
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Running jobs whose items have all settled but that have not moved on (a lost last step). */
export async function stalledJobs(db: Db, limit: number): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.state, "running"),
        eq(jobs.stage, "items"),
        eq(jobs.listed, true),
        sql`${jobs.succeeded} + ${jobs.failed} + ${jobs.skipped} >= ${jobs.total}`,
      ),
    )
    .limit(limit);
}
