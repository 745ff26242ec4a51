import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { createSource, gateway, mapKey, uniqueId } from "../helpers";

async function errorOf(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { success: boolean; errors: { code: number; message: string }[] };
  expect(body.success).toBe(false);
  return body.errors[0]!;
}

describe("redirect: misses and errors", () => {
  it("answers 405 with Allow to methods other than GET and HEAD", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "m.jpg");
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await gateway(`https://${s.host}/m.jpg`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect((await errorOf(res)).code).toBe(1002);
    }
  });

  it("answers 404 in the envelope when no source matches", async () => {
    const res = await gateway(`https://${uniqueId("nobody")}.example/a.jpg`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ code: 2000, message: "No source serves this URL" });
  });

  it("answers 404 with the reason when a Cloudinary URL is not an image upload", async () => {
    const s = await createSource({ kind: "cloudinary", origin: "https://res.cloudinary.com/demo" });
    const video = cloudinary
      .url("dog", { resource_type: "video", cloud_name: "x", secure: true })
      .replace(/^https:\/\/[^/]+\/x/, `https://${s.host}`);
    const res = await gateway(video);
    expect(res.status).toBe(404);
    const err = await errorOf(res);
    expect(err.code).toBe(2001);
    expect(err.message).toMatch(/video/i);
    const fetchType = await gateway(`https://${s.host}/image/fetch/https://example.com/a.jpg`);
    expect(fetchType.status).toBe(404);
    expect((await errorOf(fetchType)).code).toBe(2001);
  });

  it("onMiss not-found: 404 for an unmapped asset", async () => {
    const s = await createSource({ kind: "imgix" });
    const res = await gateway(`https://${s.host}/unmapped.jpg`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe(2004);
  });

  it("onMiss redirect-origin: a temporary, uncached redirect to the canonical original", async () => {
    const s = await createSource({
      kind: "cloudinary",
      origin: "https://res.cloudinary.com/demo",
      onMiss: "redirect-origin",
    });
    const res = await gateway(`https://${s.host}/image/upload/c_fill,w_300/v1712/folder/a%20b.jpg?_a=XYZ`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://res.cloudinary.com/demo/image/upload/folder/a%20b.jpg");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("D1 unavailable: redirects to the origin when the source has one, else 503", async () => {
    const withOrigin = await createSource({
      kind: "imgix",
      origin: "https://o.imgix.net",
      onMiss: "redirect-origin",
    });
    const without = await createSource({ kind: "imgix" });
    // Warm this isolate's copy of the sources, as any earlier request would have.
    await worker.fetch(new Request(`https://${withOrigin.host}/warm.jpg`), env, createExecutionContext());
    const broken = {
      ...env,
      DB: new Proxy(env.DB, {
        get() {
          return () => {
            throw new Error("D1_ERROR: simulated outage");
          };
        },
      }),
    } as Env;
    const a = await worker.fetch(
      new Request(`https://${withOrigin.host}/d1down.jpg?w=5`),
      broken,
      createExecutionContext(),
    );
    expect(a.status).toBe(302);
    expect(a.headers.get("location")).toBe("https://o.imgix.net/d1down.jpg");
    expect(a.headers.get("cache-control")).toBe("no-store");
    const b = await worker.fetch(
      new Request(`https://${without.host}/d1down.jpg`),
      broken,
      createExecutionContext(),
    );
    expect(b.status).toBe(503);
    expect((await errorOf(b)).code).toBe(1200);
    const text = JSON.stringify(
      await (
        await worker.fetch(new Request(`https://${without.host}/x.jpg`), broken, createExecutionContext())
      ).json(),
    );
    expect(text).not.toMatch(/simulated|D1_ERROR|stack/);
  });

  it("answers 503 (not a broken URL) when a signed source has no signing key", async () => {
    const s = await createSource({ kind: "imgix", requireSignedURLs: true });
    await mapKey(s.id, "s.jpg");
    const res = await worker.fetch(
      new Request(`https://${s.host}/s.jpg`),
      { ...env, IMAGES_SIGNING_KEY: "" },
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe(2006);
  });
});

describe("health", () => {
  it("GET /_health answers 200 without auth when D1 and Images answer", async () => {
    const res = await gateway("http://gw.test/_health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, result: { d1: "ok", images: "ok" } });
  });

  it("GET /_health answers 503 naming D1 when it is down", async () => {
    const broken = {
      ...env,
      DB: { prepare: () => ({ first: () => Promise.reject(new Error("down")) }) },
    } as unknown as Env;
    const res = await worker.fetch(new Request("http://gw.test/_health"), broken, createExecutionContext());
    expect(res.status).toBe(503);
    const body = (await res.json()) as { errors: { code: number }[] };
    expect(body.errors.map((e) => e.code)).toEqual([1200]);
  });
});
