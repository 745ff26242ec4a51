import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { createSource, DELIVERY, gateway } from "../helpers";
import { idOf, imageBytes, imageResponse, mappingOf, readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import { createJob, itemsOf, settled } from "./helpers";

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
  });
});
