import { env } from "cloudflare:workers";
import ImgixClient from "@imgix/js-core";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, mapKey, uploadImage } from "../helpers";
import { imageBytes, imageResponse, readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import { createJob, itemsOf, settled } from "./helpers";

/**
 * The rollback path end to end. This file has its own storage (the plugin isolates test files), so
 * it may delete every image and mapping, as an operator rolling back would.
 */

/** The image id a redirect points to (the path between the delivery base and the variant). */
function imageIdOf(location: string): string {
  const path = new URL(location).pathname.split("/").slice(2, -1);
  return path.map(decodeURIComponent).join("/");
}

async function allImages() {
  const out: ImageMetadata[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.IMAGES.hosted.list({ limit: 100, cursor });
    out.push(...page.images);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** What every legacy URL serves now: the redirect's image and its bytes. */
async function snapshot(urls: string[]) {
  const out = new Map<string, { imageId: string; bytes: Uint8Array }>();
  for (const url of urls) {
    const res = await gateway(url);
    expect([301, 302]).toContain(res.status);
    const location = res.headers.get("location")!;
    expect(location.startsWith(DELIVERY)).toBe(true);
    const imageId = imageIdOf(location);
    out.set(url, { imageId, bytes: await readAll(await env.IMAGES.hosted.image(imageId).bytes()) });
  }
  return out;
}

describe("export → delete everything → restore", () => {
  it("every legacy URL serves the same bytes again; a re-run copies nothing twice", async () => {
    const originals = new Map<string, Uint8Array>();
    serveOrigin("rt.origin.test", (req) => {
      const path = new URL(req.url).pathname;
      const bytes =
        originals.get(path) ?? imageBytes(path.endsWith(".gif") ? "gif" : "jpeg", 3000 + path.length);
      originals.set(path, bytes);
      return imageResponse(bytes);
    });
    const pub = await createSource({ kind: "imgix", origin: "https://rt.origin.test" });
    const priv = await createSource({
      kind: "imgix",
      origin: "https://rt.origin.test",
      requireSignedURLs: true,
    });
    const manual = await createSource({ kind: "imgix" });
    const pubUrls = ["a.jpg", "dir/b.jpg", "c.gif", "space%20d.jpg"].map((p) =>
      new ImgixClient({ domain: pub.host }).buildURL(`/${decodeURIComponent(p)}`, { w: 120 }),
    );
    const privUrls = ["secret/e.jpg", "f.gif"].map((p) => `https://${priv.host}/${p}`);
    // Lazy ingestion makes the mappings and images (private ones get generated ids).
    for (const url of [...pubUrls, ...privUrls]) expect([301, 302]).toContain((await gateway(url)).status);
    // An image uploaded by hand with metadata, and an id long enough (the local mock takes up to 512
    // bytes) that below a long prefix its R2 key would pass 1024 bytes: it is stored hashed.
    const longId = `nested/${"x".repeat(505)}`;
    const prefix = `rollback/${"p".repeat(500)}/`;
    await env.IMAGES.hosted.upload(imageBytes("png", 777).slice().buffer as ArrayBuffer, {
      id: longId,
      filename: "long.png",
      metadata: { alt: "a long one", tags: ["x"] },
    });
    await mapKey(manual.id, "manual/long.png", longId);
    const manualUrl = `https://${manual.host}/manual/long.png`;
    const urls = [...pubUrls, ...privUrls, manualUrl];
    const before = await snapshot(urls);
    const imagesBefore = await allImages();
    expect(imagesBefore).toHaveLength(7);

    const job = await createJob({ type: "export", prefix: prefix.slice(0, -1) });
    expect(job.params.prefix).toBe(prefix);
    const exported = await settled(job.id);
    expect(exported).toMatchObject({ state: "done", total: 7, succeeded: 7, failed: 0, skipped: 0 });
    expect(exported.output).toMatchObject({ manifest: `${prefix}manifest.json`, mappingRows: 7 });

    // Each image under <prefix>images/<id> with its content type and metadata (the long one hashed).
    const sample = (await env.EXPORTS.get(`${prefix}images/${[...before.values()][0]!.imageId}`))!;
    expect(sample.httpMetadata?.contentType).toBe("image/jpeg");
    expect(sample.customMetadata).toMatchObject({
      requireSignedURLs: "false",
      creator: "legacy-image-gateway",
    });
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(longId)));
    const hashed = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    const long = (await env.EXPORTS.get(`${prefix}images/${hashed}`))!;
    expect(long.customMetadata).toMatchObject({ id: longId, filename: "long.png" });
    expect(JSON.parse(long.customMetadata!.metadata!)).toEqual({ alt: "a long one", tags: ["x"] });
    expect(new Uint8Array(await long.arrayBuffer())).toEqual(imageBytes("png", 777));
    const manifest = JSON.parse(await (await env.EXPORTS.get(`${prefix}manifest.json`))!.text());
    expect(manifest).toMatchObject({
      format: "legacy-image-gateway-export",
      images: { total: 7, exported: 7, failed: 0 },
      mappings: { rows: 7, parts: [{ key: `${prefix}mappings/part-00000.ndjson`, rows: 7 }] },
    });
    expect(manifest.images.bytes).toBe(exported.bytes);

    // The parts are accepted unchanged by the import API.
    const part = await (await env.EXPORTS.get(`${prefix}mappings/part-00000.ndjson`))!.text();
    const imported = await admin("POST", "/mappings/import?mode=upsert", undefined, {
      headers: { "content-type": "application/x-ndjson" },
      raw: part,
    });
    expect(imported.body.result).toMatchObject({ created: 0, updated: 7, errors: [] });

    // Re-running into the same prefix copies nothing again.
    const again = await settled((await createJob({ type: "export", prefix })).id);
    expect(again).toMatchObject({ state: "done", total: 7, succeeded: 0, skipped: 7 });
    expect((await itemsOf(again.id)).every((i) => i.reason === "already_exported")).toBe(true);

    // Roll back: every image, every mapping and every source is gone.
    for (const img of imagesBefore) await env.IMAGES.hosted.image(img.id).delete();
    for (const s of [pub, priv, manual]) {
      expect((await admin("DELETE", `/sources/${s.id}?cascade=true`)).status).toBe(200);
    }
    expect(await allImages()).toHaveLength(0);
    expect((await gateway(manualUrl)).status).toBe(404);

    const restore = await createJob({ type: "restore", prefix });
    const restored = await settled(restore.id);
    expect(restored).toMatchObject({ state: "done", total: 7, succeeded: 7, failed: 0 });
    expect(restored.output).toMatchObject({
      sources: { created: 3, existing: 0, invalid: 0 },
      mappings: { created: 7, updated: 0, failed: 0, errors: [] },
    });

    const originHits = [...originals.keys()].length;
    const after = await snapshot(urls);
    for (const url of urls) {
      expect(after.get(url)!.bytes).toEqual(before.get(url)!.bytes);
      // Custom ids come back as they were; private images get new ids and their mappings follow.
      if (privUrls.includes(url)) expect(after.get(url)!.imageId).not.toBe(before.get(url)!.imageId);
      else expect(after.get(url)!.imageId).toBe(before.get(url)!.imageId);
    }
    expect([...originals.keys()]).toHaveLength(originHits);
    const details = await env.IMAGES.hosted.image(longId).details();
    expect(details).toMatchObject({ filename: "long.png", meta: { alt: "a long one", tags: ["x"] } });
  }, 60_000);
});
