import { describe, expect, it } from "vitest";
import { createSource, DELIVERY, gateway } from "../helpers";
import { imageBytes, imageResponse, mappingOf } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import { createJob, createJobFromText, itemsOf, settled } from "./helpers";

describe("refresh jobs", () => {
  it("re-check mapped assets through the sync module: unchanged, changed, gone, not mapped", async () => {
    const bytes = new Map<string, Uint8Array>([
      ["/same.png", imageBytes("png", 3000)],
      ["/edited.png", imageBytes("png", 3100)],
      ["/deleted.png", imageBytes("png", 3200)],
    ]);
    const origin = serveOrigin("refresh.origin.test", (req) => {
      const b = bytes.get(new URL(req.url).pathname);
      return b ? imageResponse(b) : new Response("gone", { status: 404 });
    });
    const s = await createSource({ kind: "imgix", origin: "https://refresh.origin.test" });
    const keys = ["same.png", "edited.png", "deleted.png"];
    expect(await settled((await createJob({ type: "backfill", source: s.id, keys })).id)).toMatchObject({
      succeeded: 3,
    });
    const before = await mappingOf(s.id, "edited.png");

    // Meanwhile at the old vendor: one original is replaced, one deleted.
    bytes.set("/edited.png", imageBytes("jpeg", 4000));
    bytes.delete("/deleted.png");
    const res = await createJobFromText(
      `type=refresh&source=${s.id}`,
      "text/plain",
      [...keys, "never-mapped.png"].join("\n"),
    );
    expect(res.status).toBe(202);
    const done = await settled(res.body.result.id);
    expect(done).toMatchObject({
      type: "refresh",
      state: "done",
      total: 4,
      succeeded: 2,
      skipped: 2,
      failed: 0,
    });
    const items = await itemsOf(done.id);
    expect(items.map((i) => [i.input.key, i.state, i.reason])).toEqual([
      ["same.png", "succeeded", "unchanged"],
      ["edited.png", "succeeded", "changed"],
      ["deleted.png", "skipped", "gone"],
      ["never-mapped.png", "skipped", "not_mapped"],
    ]);
    const after = await mappingOf(s.id, "edited.png");
    expect(after.imageId).not.toBe(before.imageId);
    expect(items[1]!.result).toBe(after.imageId);
    const redirect = await gateway(`https://${s.host}/edited.png`);
    expect(redirect.headers.get("location")).toBe(`${DELIVERY}/${after.imageId}/public`);
    expect(origin.hits("/same.png")).toBe(2);
  }, 30_000);
});
