import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway } from "../helpers";
import { idOf, imageBytes, imageResponse, imagesOfSource, mappingOf, readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import {
  capturingQueue,
  createJob,
  createJobFromText,
  itemsOf,
  type Job,
  postJobWith,
  settled,
} from "./helpers";

describe("backfill jobs", () => {
  it("migrates every listed asset through the queue: one fetch each, then redirects without fetching", async () => {
    const bytes = (i: number) => imageBytes("png", 1000 + i);
    const origin = serveOrigin("bf.origin.test", (req) => {
      const i = Number(/(\d+)\.png$/.exec(new URL(req.url).pathname)?.[1]);
      return imageResponse(bytes(i));
    });
    const s = await createSource({
      kind: "cloudinary",
      origin: "https://bf.origin.test/demo",
      options: { cloudName: "demo" },
    });
    const urls = Array.from({ length: 12 }, (_, i) =>
      cloudinary
        .url(`catalog/item-${i}.png`, { cloud_name: "demo", secure: true, width: 200 })
        .replace("https://res.cloudinary.com", `https://${s.host}`),
    );
    const job = await createJob({ type: "backfill", urls });
    expect(job).toMatchObject({ type: "backfill", state: "queued", total: 12, succeeded: 0, failed: 0 });

    const done = await settled(job.id);
    expect(done).toMatchObject({ state: "done", total: 12, succeeded: 12, failed: 0, skipped: 0 });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(origin.hits()).toBe(12);

    const items = await itemsOf(job.id, "succeeded");
    expect(items).toHaveLength(12);
    for (let i = 0; i < 12; i++) {
      const key = `catalog/item-${i}`;
      const imageId = await idOf(s.id, key);
      expect(items[i]).toMatchObject({ line: i + 1, input: { url: urls[i] }, result: imageId, error: null });
      expect(await readAll(await env.IMAGES.hosted.image(imageId).bytes())).toEqual(bytes(i));
      expect(await mappingOf(s.id, key)).toMatchObject({ state: "ready", imageId });
    }
    const res = await gateway(urls[3]!);
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${DELIVERY}/${await idOf(s.id, "catalog/item-3")}/w=200`);
    expect(origin.hits()).toBe(12);
  }, 30_000);
});

describe("backfill jobs: item lists as operators send them", () => {
  it("one URL a line: malformed lines and strangers are item errors named by line, duplicates skipped", async () => {
    const origin = serveOrigin("lines.origin.test", () => imageResponse(imageBytes("jpeg")));
    const s = await createSource({ kind: "imgix", origin: "https://lines.origin.test" });
    const text = [
      `https://${s.host}/a.jpg?w=100`,
      "",
      "not a url",
      `https://${s.host}/b.jpg`,
      "https://nobody-serves-this.test/c.jpg",
      `https://${s.host}/a.jpg?w=300`,
      `https://${s.host}/..%2F..%2Fetc.jpg`,
    ].join("\r\n");
    const res = await createJobFromText("type=backfill", "text/plain", text);
    expect(res.status).toBe(202);
    expect(res.body.result).toMatchObject({ total: 6, failed: 3, skipped: 1, params: { items: 6 } });
    const done = await settled(res.body.result.id);
    expect(done).toMatchObject({ state: "done", total: 6, succeeded: 2, failed: 3, skipped: 1 });
    expect(origin.hits()).toBe(2);

    const failed = await itemsOf(done.id, "failed");
    expect(failed.map((i) => [i.line, i.reason, i.error])).toEqual([
      [3, "invalid_input", "url: is not an absolute URL"],
      [5, "invalid_input", "url: No source serves this URL"],
      [7, "invalid_input", expect.stringMatching(/^url: /)],
    ]);
    expect(await itemsOf(done.id, "skipped")).toMatchObject([
      {
        line: 6,
        reason: "duplicate",
        error: "same asset as line 1",
        input: { url: `https://${s.host}/a.jpg?w=300` },
      },
    ]);
    expect((await itemsOf(done.id, "succeeded")).map((i) => i.line)).toEqual([1, 4]);
    expect(await itemsOf(done.id, "pending")).toEqual([]);
  }, 30_000);

  it("{source, keys}, a CSV of source,key and an NDJSON list all name assets by key", async () => {
    serveOrigin("keys.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({
      kind: "s3",
      origin: "https://keys.origin.test",
      options: { bucket: "photos" },
    });
    const json = await settled(
      (await createJob({ type: "backfill", source: s.id, keys: ["photos/a b.png"] })).id,
    );
    expect(json).toMatchObject({ state: "done", succeeded: 1, params: { source: s.id } });
    expect(await mappingOf(s.id, "photos/a b.png")).toMatchObject({ state: "ready" });

    const csv = await createJobFromText(
      "type=backfill",
      "text/csv",
      `source,key\n${s.id},photos/c.png\n${s.id},"photos/with,comma.png"\nno-such,photos/x.png\n${s.id}\n`,
    );
    expect(csv.status).toBe(202);
    const csvDone = await settled(csv.body.result.id);
    expect(csvDone).toMatchObject({ succeeded: 2, failed: 2 });
    expect((await itemsOf(csvDone.id, "failed")).map((i) => [i.line, i.error])).toEqual([
      [4, "source: no source with id 'no-such'"],
      [5, "expected 2 columns (source,key), found 1"],
    ]);
    expect(await mappingOf(s.id, "photos/with,comma.png")).toMatchObject({ state: "ready" });

    const ndjson = await createJobFromText(
      `type=backfill&source=${s.id}`,
      "application/x-ndjson",
      `"photos/d.png"\n{"key":"photos/e.png"}\n{"url":"https://${s.host}/photos/f.png"}\n{nope\n[1]\n`,
    );
    expect(ndjson.status).toBe(202);
    const ndDone = await settled(ndjson.body.result.id);
    expect(ndDone).toMatchObject({ succeeded: 3, failed: 2 });
    expect((await itemsOf(ndDone.id, "failed")).map((i) => [i.line, i.error])).toEqual([
      [4, "not valid JSON"],
      [5, 'expected a URL string or an object {"url"} or {"source","key"}'],
    ]);
  }, 30_000);

  it("100 000 items are accepted in one request and enqueued in sendBatch chunks within the Queue's limits", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://many.origin.test" });
    const capture = capturingQueue();
    const keys = Array.from({ length: 100_000 }, (_, i) => `bulk/${String(i).padStart(6, "0")}.png`);
    const res = await postJobWith({ JOBS: capture.queue }, { type: "backfill", source: s.id, keys });
    expect(res.status).toBe(202);
    const job = ((await res.json()) as { result: Job }).result;
    expect(job).toMatchObject({ state: "queued", total: 100_000, failed: 0, skipped: 0 });
    expect(capture.sent).toHaveLength(100_000);
    expect(new Set(capture.sent.map((m) => m.body.i)).size).toBe(100_000);
    expect(capture.batches).toHaveLength(1000);
    for (const b of capture.batches) {
      expect(b.count).toBeLessThanOrEqual(100);
      expect(b.bytes + b.count * 100).toBeLessThanOrEqual(256_000);
    }
    const pending = await admin("GET", `/jobs/${job.id}/items?state=pending&limit=1000`);
    expect(pending.body.result).toHaveLength(1000);
    expect(pending.body.result_info!.cursor).not.toBeNull();
  }, 60_000);
});

describe("backfill jobs: exactly once with end users", () => {
  it("an end-user first hit and a job item on the same asset cause one fetch and one upload", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const origin = serveOrigin("race.origin.test", async () => {
      await gate;
      return imageResponse(imageBytes("png", 4000));
    });
    // Signed URLs force generated image ids, so a second upload would be a second image.
    const s = await createSource({
      kind: "imgix",
      origin: "https://race.origin.test",
      requireSignedURLs: true,
    });
    const url = `https://${s.host}/race/hero.png?w=640`;
    const user = gateway(url); // wins the lease and waits at the origin
    while (origin.hits() === 0) await new Promise((r) => setTimeout(r, 10));
    const job = await createJob({ type: "backfill", urls: [url] });
    // The job's item meets the user's lease (either way round it must not fetch again): release the
    // origin once a consumer has the item.
    while ((await admin("GET", `/jobs/${job.id}`)).body.result.state === "queued") {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    release();
    expect([301, 302]).toContain((await user).status);
    const done = await settled(job.id);
    expect(done).toMatchObject({ state: "done", failed: 0 });
    expect(origin.hits()).toBe(1);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
    expect(await mappingOf(s.id, "race/hero.png")).toMatchObject({ state: "ready", attempts: 1 });

    // And the other way round: the job ingests, a user arriving meanwhile gets the origin, no fetch.
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    const origin2 = serveOrigin("race2.origin.test", async () => {
      await gate2;
      return imageResponse(imageBytes("png", 4100));
    });
    const s2 = await createSource({
      kind: "imgix",
      origin: "https://race2.origin.test",
      requireSignedURLs: true,
    });
    const job2 = await createJob({ type: "backfill", source: s2.id, keys: ["late/user.png"] });
    while (origin2.hits() === 0) await new Promise((r) => setTimeout(r, 10));
    const meanwhile = await gateway(`https://${s2.host}/late/user.png`);
    expect(meanwhile.status).toBe(302);
    expect(meanwhile.headers.get("location")).toBe("https://race2.origin.test/late/user.png");
    release2();
    expect(await settled(job2.id)).toMatchObject({ state: "done", succeeded: 1 });
    expect(origin2.hits()).toBe(1);
    expect(await imagesOfSource(s2.id)).toHaveLength(1);
  }, 30_000);
});
