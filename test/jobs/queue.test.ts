import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { advanceStalledJobs } from "../../src/jobs/upkeep";
import { runUpkeep, UPKEEP_TASKS } from "../../src/upkeep/scheduled";
import { admin, createSource } from "../helpers";
import { imageBytes, imageResponse, imagesOfSource, mappingOf } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import { capturingQueue, type Item, type Job, postJobWith } from "./helpers";

/**
 * The `queue` handler driven directly: jobs are created through the admin API with a JOBS producer
 * that keeps its messages, which the tests then deliver as MessageBatches and read the handler's
 * ack/retry decisions back (getQueueResult).
 */
const QUEUE = "legacy-image-gateway-jobs";

function harness(vars: Record<string, unknown> = {}) {
  const capture = capturingQueue();
  const overrides = { JOBS: capture.queue, ...vars };
  return {
    ...capture,
    async create(body: unknown): Promise<Job> {
      const res = await postJobWith(overrides, body);
      const json = (await res.json()) as { result: Job };
      if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(json)}`);
      return json.result;
    },
    async deliver(bodies: unknown[], attempts = 1, queue = QUEUE) {
      const batch = createMessageBatch(
        queue,
        bodies.map((body, n) => ({ id: `msg-${n}`, timestamp: new Date(), attempts, body })),
      );
      // getQueueResult reports which messages were retried, not the delay asked for: note it.
      const delays = new Map<string, number | undefined>();
      for (const m of batch.messages) {
        const retry = m.retry.bind(m);
        m.retry = (opts?: QueueRetryOptions) => {
          delays.set(m.id, opts?.delaySeconds);
          retry(opts);
        };
      }
      const ctx = createExecutionContext();
      await worker.queue(batch, { ...env, ...overrides } as Env);
      const result = await getQueueResult(batch, ctx);
      return {
        ...result,
        retryMessages: result.retryMessages.map((r) => ({ ...r, delaySeconds: delays.get(r.msgId) })),
      };
    },
  };
}

const job = async (id: number) => (await admin("GET", `/jobs/${id}`)).body.result as Job;
const items = async (id: number) => (await admin("GET", `/jobs/${id}/items`)).body.result as Item[];

describe("queue handler: backfill items", () => {
  it("an origin 5xx is retried after JOB_RETRY_BASE (5 s), then 10 s; the third failure is final", async () => {
    const origin = serveOrigin("flaky.origin.test", () => new Response("down", { status: 503 }));
    const s = await createSource({ kind: "imgix", origin: "https://flaky.origin.test" });
    const h = harness({ JOB_RETRY_BASE: "5" });
    const created = await h.create({ type: "backfill", source: s.id, keys: ["a.png"] });
    expect(h.sent).toEqual([{ body: { j: created.id, i: expect.any(Number) }, delaySeconds: undefined }]);
    const message = h.sent[0]!.body;

    let result = await h.deliver([message], 1);
    expect(result.retryMessages).toEqual([{ msgId: "msg-0", delaySeconds: 5 }]);
    expect((await items(created.id))[0]).toMatchObject({
      state: "pending",
      attempts: 1,
      reason: "origin_5xx",
    });
    expect(await job(created.id)).toMatchObject({ state: "running", failed: 0 });

    result = await h.deliver([message], 2);
    expect(result.retryMessages).toEqual([{ msgId: "msg-0", delaySeconds: 10 }]);

    result = await h.deliver([message], 3);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect((await items(created.id))[0]).toMatchObject({
      state: "failed",
      attempts: 3,
      reason: "origin_5xx",
      error: "origin answered 503",
    });
    expect(await job(created.id)).toMatchObject({ state: "done", total: 1, failed: 1 });
    expect(origin.hits()).toBe(3);
  });

  it("an origin 404 fails the item at once with reason origin_404 (one fetch, no retry)", async () => {
    const origin = serveOrigin("gone.origin.test", () => new Response("no", { status: 404 }));
    const s = await createSource({ kind: "imgix", origin: "https://gone.origin.test" });
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["gone.png"] });
    const result = await h.deliver([h.sent[0]!.body]);
    expect(result.retryMessages).toEqual([]);
    expect((await items(created.id))[0]).toMatchObject({
      state: "failed",
      attempts: 1,
      reason: "origin_404",
    });
    expect(await job(created.id)).toMatchObject({ state: "done", failed: 1 });
    expect(origin.hits()).toBe(1);
  });

  it("an asset another request is ingesting is looked at again later, without a fetch or a counted attempt", async () => {
    const origin = serveOrigin("held.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://held.origin.test" });
    const iso = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO mappings (source, key, state, attempts, lease_owner, lease_until, created_at, updated_at)
       VALUES (?, 'held.png', 'ingesting', 1, 'a-user-request', ?, ?, ?)`,
    )
      .bind(s.id, Date.now() + 30_000, iso, iso)
      .run();
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["held.png"] });
    const result = await h.deliver([h.sent[0]!.body], 1);
    expect(result.retryMessages).toEqual([{ msgId: "msg-0", delaySeconds: 2 }]);
    expect((await items(created.id))[0]).toMatchObject({ state: "pending", attempts: 0 });
    expect(origin.hits()).toBe(0);

    // The holder finished meanwhile: the item is skipped (the asset is ready), still no fetch.
    await admin("POST", "/mappings", {
      source: s.id,
      key: "held.png",
      imageId: await upload(),
      upsert: true,
    });
    await h.deliver([h.sent[0]!.body], 2);
    expect((await items(created.id))[0]).toMatchObject({ state: "skipped", reason: "already_ready" });
    expect(origin.hits()).toBe(0);
  });

  it("an item already ready is skipped without a fetch; a second delivery of a settled item is a no-op", async () => {
    const origin = serveOrigin("ready.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://ready.origin.test" });
    const imageId = await upload();
    await admin("POST", "/mappings", { source: s.id, key: "done.png", imageId });
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["done.png", "new.png"] });
    const result = await h.deliver(h.sent.map((m) => m.body));
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
    const [first, second] = await items(created.id);
    expect(first).toMatchObject({ state: "skipped", reason: "already_ready", result: imageId });
    expect(second).toMatchObject({ state: "succeeded" });
    expect(await job(created.id)).toMatchObject({ state: "done", succeeded: 1, skipped: 1 });
    expect(origin.hits()).toBe(1);

    const again = await h.deliver(
      h.sent.map((m) => m.body),
      2,
    );
    expect(again.explicitAcks).toHaveLength(2);
    expect(origin.hits()).toBe(1);
  });
});

describe("queue handler: cancel", () => {
  it("cancel settles the job at once: items not started are skipped and their messages fetch nothing", async () => {
    const origin = serveOrigin("cancel.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://cancel.origin.test" });
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["1.png", "2.png", "3.png"] });
    // One item ran before the cancel.
    await h.deliver([h.sent[0]!.body]);
    expect(origin.hits()).toBe(1);

    const res = await admin("POST", `/jobs/${created.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ state: "cancelled", total: 3, succeeded: 1, skipped: 2 });
    expect(res.body.result.finishedAt).not.toBeNull();
    const skipped = (await items(created.id)).filter((i) => i.state === "skipped");
    expect(skipped.map((i) => [i.reason, i.error])).toEqual([
      ["cancelled", "the job was cancelled"],
      ["cancelled", "the job was cancelled"],
    ]);

    const result = await h.deliver(h.sent.slice(1).map((m) => m.body));
    expect(result.explicitAcks).toHaveLength(2);
    expect(origin.hits()).toBe(1);
    expect(await imagesOfSource(s.id)).toHaveLength(1);

    const again = await admin("POST", `/jobs/${created.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ code: 5001 });
    expect(again.body.errors[0]!.message).toContain("cancelled");
  });

  it("items in flight when the job is cancelled stop at their next step", async () => {
    let jobId = 0;
    // The first asset's fetch is where the operator cancels: that asset finishes (fetch and upload
    // are one step under its lease); the next item checks the job (what the batch knows of it is
    // at most a second old) before fetching, and stops.
    const origin = serveOrigin("inflight.origin.test", async (req) => {
      if (req.url.endsWith("/1.png")) {
        expect((await admin("POST", `/jobs/${jobId}/cancel`)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1100));
      }
      return imageResponse(imageBytes("png"));
    });
    const s = await createSource({ kind: "imgix", origin: "https://inflight.origin.test" });
    const h = harness({ JOB_CONCURRENCY: "1" });
    const created = await h.create({ type: "backfill", source: s.id, keys: ["1.png", "2.png"] });
    jobId = created.id;
    const result = await h.deliver(h.sent.map((m) => m.body));
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
    expect(origin.hits()).toBe(1);
    const [first, second] = await items(created.id);
    expect(first).toMatchObject({ state: "succeeded" });
    expect(second).toMatchObject({ state: "skipped", reason: "cancelled" });
    expect(await job(created.id)).toMatchObject({ state: "cancelled", succeeded: 1, skipped: 1 });
    expect(await mappingOf(s.id, "2.png")).toBeNull();
  });
});

describe("queue handler: dead letters and strangers", () => {
  it("a message the queue gave up on fails its item (dead_letter) and lets the job settle", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://dlq.origin.test" });
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["d.png"] });
    const result = await h.deliver([h.sent[0]!.body], 11, `${QUEUE}-dlq`);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect((await items(created.id))[0]).toMatchObject({ state: "failed", reason: "dead_letter" });
    expect((await items(created.id))[0]!.error).toContain("gave up after 11 deliveries");
    expect(await job(created.id)).toMatchObject({ state: "done", failed: 1 });
  });

  it("a dead-lettered step fails its job", async () => {
    const h = harness();
    const created = await h.create({ type: "export", prefix: "dlq-step" });
    const step = h.sent.find((m) => "s" in m.body)!.body;
    await h.deliver([step], 11, `${QUEUE}-dlq`);
    const failed = await job(created.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toContain("step 'list' failed");
  });

  it("a body that is not a job message is acknowledged and dropped", async () => {
    const h = harness();
    const result = await h.deliver([{ hello: "world" }, "text", null]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2"]);
  });
});

describe("upkeep: stalled jobs", () => {
  it("a running job whose items all settled but that never moved on is finished by the cron", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://stalled.origin.test" });
    const h = harness();
    const created = await h.create({ type: "backfill", source: s.id, keys: ["a.png", "b.png"] });
    // The consumer recorded both outcomes, then died before moving the job on.
    await env.DB.batch([
      env.DB.prepare("UPDATE jobs SET state = 'running' WHERE id = ?").bind(created.id),
      env.DB.prepare("UPDATE job_items SET state = 'failed', reason = 'origin_5xx' WHERE job_id = ?").bind(
        created.id,
      ),
    ]);
    expect(await job(created.id)).toMatchObject({ state: "running", failed: 2 });
    const report = await runUpkeep(env, Date.now(), [advanceStalledJobs]);
    expect(report["advance-stalled-jobs"]).toEqual({ advanced: 1 });
    expect(await job(created.id)).toMatchObject({ state: "done", failed: 2 });
    expect(UPKEEP_TASKS).toContain(advanceStalledJobs);
    expect(await runUpkeep(env, Date.now(), [advanceStalledJobs])).toEqual({
      "advance-stalled-jobs": { advanced: 0 },
    });
  });
});

async function upload(): Promise<string> {
  const meta = await env.IMAGES.hosted.upload(imageBytes("png").slice().buffer as ArrayBuffer, {});
  return meta.id;
}
