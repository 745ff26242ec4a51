import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import {
  createSource,
  type Envelope,
  expectError,
  expectTemporaryOrigin,
  fetchWith,
  gateway,
  mapKey,
  uniqueId,
} from "../helpers";

describe("redirect: misses and errors", () => {
  it("answers 405 with Allow to methods other than GET, HEAD and OPTIONS (a preflight is answered 204)", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "m.jpg");
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await gateway(`https://${s.host}/m.jpg`, { method });
      expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
      await expectError(res, 405, 1002);
    }
    expect((await gateway(`https://${s.host}/m.jpg`, { method: "OPTIONS" })).status).toBe(204);
  });

  it("answers 404 in the envelope when no source matches", async () => {
    const res = await gateway(`https://${uniqueId("nobody")}.example/a.jpg`);
    expect(await expectError(res, 404, 2000)).toEqual({ code: 2000, message: "No source serves this URL" });
  });

  it("answers 404 with the reason when a Cloudinary URL is not an image upload", async () => {
    const s = await createSource({ kind: "cloudinary", origin: "https://res.cloudinary.com/demo" });
    const video = cloudinary
      .url("dog", { resource_type: "video", cloud_name: "x", secure: true })
      .replace(/^https:\/\/[^/]+\/x/, `https://${s.host}`);
    const res = await gateway(video);
    expect((await expectError(res, 404, 2001)).message).toMatch(/video/i);
    const fetchType = await gateway(`https://${s.host}/image/fetch/https://example.com/a.jpg`);
    await expectError(fetchType, 404, 2001);
  });

  it("onMiss not-found: 404 for an unmapped asset", async () => {
    const s = await createSource({ kind: "imgix" });
    const res = await gateway(`https://${s.host}/unmapped.jpg`);
    await expectError(res, 404, 2004);
  });

  it("onMiss redirect-origin: a temporary, uncached redirect to the canonical original", async () => {
    const s = await createSource({
      kind: "cloudinary",
      origin: "https://res.cloudinary.com/demo",
      onMiss: "redirect-origin",
    });
    const res = await gateway(`https://${s.host}/image/upload/c_fill,w_300/v1712/folder/a%20b.jpg?_a=XYZ`);
    expectTemporaryOrigin(res, "https://res.cloudinary.com/demo/image/upload/folder/a%20b.jpg");
  });

  it("D1 unavailable: redirects to the origin when the source has one, else 503", async () => {
    const withOrigin = await createSource({
      kind: "imgix",
      origin: "https://o.imgix.net",
      onMiss: "redirect-origin",
    });
    const without = await createSource({ kind: "imgix" });
    // Warm this isolate's copy of the sources, as any earlier request would have.
    await fetchWith(`https://${withOrigin.host}/warm.jpg`, {});
    const broken = {
      DB: new Proxy(env.DB, {
        get() {
          return () => {
            throw new Error("D1_ERROR: simulated outage");
          };
        },
      }),
    };
    const a = await fetchWith(`https://${withOrigin.host}/d1down.jpg?w=5`, broken);
    expectTemporaryOrigin(a.res, "https://o.imgix.net/d1down.jpg");
    const b = await fetchWith(`https://${without.host}/d1down.jpg`, broken);
    await expectError(b.res, 503, 1200);
    const text = await (await fetchWith(`https://${without.host}/x.jpg`, broken)).res.text();
    expect(text).not.toMatch(/simulated|D1_ERROR|stack/);
  });

  it("answers 503 (not a broken URL) when a signed source has no signing key", async () => {
    const s = await createSource({ kind: "imgix", requireSignedURLs: true });
    await mapKey(s.id, "s.jpg");
    const { res } = await fetchWith(`https://${s.host}/s.jpg`, { IMAGES_SIGNING_KEY: "" });
    await expectError(res, 503, 2006);
  });
});

describe("health", () => {
  it("GET /_health answers 200 without auth when D1 and Images answer", async () => {
    const res = await gateway("http://gw.test/_health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, result: { d1: "ok", images: "ok" } });
  });

  it("GET /_health answers 503 naming D1 when it is down", async () => {
    const broken = { DB: { prepare: () => ({ first: () => Promise.reject(new Error("down")) }) } };
    const { res } = await fetchWith("http://gw.test/_health", broken);
    const body = (await res.clone().json()) as Envelope;
    await expectError(res, 503, 1200);
    // Images answered: only D1 is named.
    expect(body.errors.map((e) => e.code)).toEqual([1200]);
  });
});
