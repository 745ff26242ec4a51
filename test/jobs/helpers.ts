import { ADMIN_TOKEN, admin, fetchWith } from "../helpers";

/** Job helpers for the tests: every call goes through the admin API, as an operator's would. */
export interface Job {
  id: number;
  type: string;
  state: "queued" | "running" | "done" | "failed" | "cancelled";
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  bytes: number;
  params: Record<string, any>;
  output: Record<string, any>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Item {
  id: number;
  ref: string;
  line: number | null;
  input: Record<string, any>;
  state: "pending" | "succeeded" | "failed" | "skipped";
  attempts: number;
  reason: string | null;
  error: string | null;
  result: string | null;
  bytes: number | null;
}

export async function createJob(body: Record<string, unknown>): Promise<Job> {
  const res = await admin("POST", "/jobs", body);
  if (res.status !== 202) throw new Error(`createJob: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result as Job;
}

/** POST /_admin/jobs with some bindings or vars replaced (a capturing JOBS queue, no EXPORTS, …). */
export async function postJobWith(vars: Record<string, unknown>, body: unknown): Promise<Response> {
  const { res } = await fetchWith("http://gateway.test/_admin/jobs", vars, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res;
}

/** Creates a job from a text item list (`?type=…`), as the CLI and curl send big lists. */
export async function createJobFromText(query: string, contentType: string, text: string) {
  return admin("POST", `/jobs?${query}`, undefined, { headers: { "content-type": contentType }, raw: text });
}

const SETTLED = new Set(["done", "failed", "cancelled"]);

/**
 * Polls the job until it settles (the queue delivers asynchronously, in this isolate). Not a timed
 * assertion: the deadline only keeps a broken job from hanging the run.
 */
export async function settled(id: number, deadlineMs = 30_000): Promise<Job> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const res = await admin("GET", `/jobs/${id}`);
    const job = res.body.result as Job;
    if (SETTLED.has(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${id} did not settle: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function itemsOf(id: number, state?: string): Promise<Item[]> {
  const all: Item[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (state) q.set("state", state);
    if (cursor) q.set("cursor", cursor);
    const res = await admin("GET", `/jobs/${id}/items?${q}`);
    if (res.status !== 200) throw new Error(`items: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...(res.body.result as Item[]));
    cursor = res.body.result_info!.cursor;
  } while (cursor);
  return all;
}

/**
 * A JOBS producer that keeps what it is sent instead of delivering it, so a test can hand the
 * messages to the `queue` handler itself (createMessageBatch) and see each one's ack or retry.
 */
export function capturingQueue() {
  const sent: { body: any; delaySeconds?: number }[] = [];
  const batches: { count: number; bytes: number }[] = [];
  const queue = {
    async send(body: unknown, opts?: QueueSendOptions) {
      sent.push({ body, delaySeconds: opts?.delaySeconds });
    },
    async sendBatch(messages: MessageSendRequest[], opts?: QueueSendBatchOptions) {
      batches.push({
        count: messages.length,
        bytes: messages.reduce((n, m) => n + new TextEncoder().encode(JSON.stringify(m.body)).byteLength, 0),
      });
      for (const m of messages)
        sent.push({ body: m.body, delaySeconds: m.delaySeconds ?? opts?.delaySeconds });
    },
  };
  return { queue: queue as unknown as Queue, sent, batches };
}
