import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { createSource, DELIVERY, gateway, uploadImage } from "../helpers";
import { serveOrigin } from "../origin";
import { idOf, imageBytes, imageResponse, imagesOfSource, mappingOf, readAll } from "./helpers";

describe("lazy ingestion: first hit", () => {
  it("fetches the original once, uploads it under a deterministic id and redirects; the bytes round-trip", async () => {
    const original = imageBytes("png", 5000);
    const origin = serveOrigin("res.cloudinary.test", () => imageResponse(original));
    const s = await createSource({
      kind: "cloudinary",
      origin: "https://res.cloudinary.test/demo",
      options: { cloudName: "demo" },
    });
    const url = cloudinary
      .url("products/shoe 1", { cloud_name: "demo", secure: true, width: 300, crop: "fill", format: "png" })
      .replace("https://res.cloudinary.com", `https://${s.host}`);

    const res = await gateway(url);
    expect(res.status).toBe(301);
    const imageId = await idOf(s.id, "products/shoe 1");
    expect(res.headers.get("location")).toBe(`${DELIVERY}/${imageId}/w=300,fit=cover`);
    // The canonical original: no transformation, no version, the extension as requested.
    expect(origin.requests.map((r) => r.url)).toEqual([
      "https://res.cloudinary.test/demo/image/upload/products/shoe%201.png",
    ]);

    expect(await readAll(await env.IMAGES.hosted.image(imageId).bytes())).toEqual(original);
    const details = await env.IMAGES.hosted.image(imageId).details();
    expect(details).toMatchObject({
      creator: "legacy-image-gateway",
      meta: {
        source: s.id,
        key: "products/shoe 1",
        originUrl: "https://res.cloudinary.test/demo/image/upload/products/shoe%201.png",
      },
    });
    const m = await mappingOf(s.id, "products/shoe 1");
    expect(m).toMatchObject({ state: "ready", imageId, attempts: 1, lastError: null });

    // Another size of the same asset: no second fetch.
    const again = await gateway(url.replace("c_fill,w_300", "w_50"));
    expect(again.status).toBe(301);
    expect(again.headers.get("location")).toBe(`${DELIVERY}/${imageId}/w=50`);
    expect(origin.hits()).toBe(1);
  });

  it("reuses an image already present under the deterministic id, without fetching", async () => {
    const origin = serveOrigin("reuse.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://reuse.origin.test" });
    const id = await uploadImage(await idOf(s.id, "already/there.jpg"));
    const res = await gateway(`https://${s.host}/already/there.jpg?w=10`);
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${DELIVERY}/${id}/w=10`);
    expect(origin.hits()).toBe(0);
    expect(await mappingOf(s.id, "already/there.jpg")).toMatchObject({ state: "ready" });
  });

  it("re-encodes S3 keys segment by segment so spaces, +, #, ? and % round-trip to the origin", async () => {
    const origin = serveOrigin("bucket.origin.test", () => imageResponse(imageBytes("jpeg")));
    const s = await createSource({
      kind: "s3",
      origin: "https://bucket.origin.test",
      options: { bucket: "photos" },
    });
    // The AWS SDK writes a literal + as %2B; a raw + is a space to S3.
    const res = await gateway(`https://${s.host}/a%20b/c%2Bd%23e%3Ff%25g%20%C3%A9.jpg`);
    expect(res.status).toBe(301);
    expect(new URL(origin.requests[0]!.url).pathname).toBe("/a%20b/c%2Bd%23e%3Ff%25g%20%C3%A9.jpg");
    const res2 = await gateway(`https://${s.host}/a+b/c%2Bd.jpg`);
    expect(res2.status).toBe(301);
    expect(new URL(origin.requests[1]!.url).pathname).toBe("/a%20b/c%2Bd.jpg");
    expect((await mappingOf(s.id, "photos/a b/c+d#e?f%g é.jpg"))!.state).toBe("ready");
  });

  it("keeps http keepQuery params in the key and in the origin URL", async () => {
    const origin = serveOrigin("files.origin.test", () => imageResponse(imageBytes("gif")));
    const s = await createSource({
      kind: "http",
      origin: "https://files.origin.test/base",
      options: { keepQuery: ["v"] },
    });
    expect((await gateway(`https://${s.host}/img/logo.gif?v=2&utm=x`)).status).toBe(301);
    expect((await gateway(`https://${s.host}/img/logo.gif?v=3`)).status).toBe(301);
    expect(origin.requests.map((r) => r.url)).toEqual([
      "https://files.origin.test/base/img/logo.gif?v=2",
      "https://files.origin.test/base/img/logo.gif?v=3",
    ]);
  });

  it("uploads private images with a generated id for sources that require signed URLs", async () => {
    serveOrigin("private.origin.test", () => imageResponse(imageBytes("webp")));
    const s = await createSource({
      kind: "imgix",
      origin: "https://private.origin.test",
      requireSignedURLs: true,
    });
    const res = await gateway(`https://${s.host}/secret.webp`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.searchParams.get("sig")).toMatch(/^[0-9a-f]{64}$/);
    const [image] = await imagesOfSource(s.id);
    expect(image!.id).not.toContain(s.id);
    expect(image!.requireSignedURLs).toBe(true);
    expect(`${location.origin}${location.pathname}`).toBe(`${DELIVERY}/${image!.id}/public`);
  });

  it.each(["png", "jpeg", "gif", "webp", "avif", "heic", "svg"] as const)(
    "accepts %s originals",
    async (kind) => {
      serveOrigin(`${kind}.origin.test`, () => imageResponse(imageBytes(kind)));
      const s = await createSource({ kind: "imgix", origin: `https://${kind}.origin.test` });
      expect((await gateway(`https://${s.host}/file.${kind}`)).status).toBe(301);
    },
  );
});
