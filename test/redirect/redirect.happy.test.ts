import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import ImgixClient from "@imgix/js-core";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, fetchWith, gateway, mapKey, uniqueId } from "../helpers";

describe("redirect: mapped assets", () => {
  it("redirects every Cloudinary transformation URL of one asset to its image with flexible options", async () => {
    const s = await createSource({
      kind: "cloudinary",
      host: "res.cloudinary.com",
      pathPrefix: `/${uniqueId("cloud")}`,
      options: {},
    });
    const cloud = s.pathPrefix.slice(1);
    const m = await mapKey(s.id, "folder/my photo, 1");
    const url = (opts: object) =>
      cloudinary.url("folder/my photo, 1", { cloud_name: cloud, secure: true, format: "jpg", ...opts });

    const cases: [object, string][] = [
      [{}, "public"],
      [{ width: 400, height: 300, crop: "fill", gravity: "face" }, "w=400,h=300,fit=cover,gravity=face"],
      [
        { width: 200, crop: "limit", quality: 80, fetch_format: "auto" },
        "w=200,fit=scale-down,quality=80,format=auto",
      ],
      [
        {
          transformation: [
            { width: 800, crop: "fill" },
            { width: 100, crop: "scale" },
          ],
        },
        "w=100,fit=squeeze",
      ],
      [{ dpr: 3.0, width: 100 }, "w=100,dpr=2"],
      [{ effect: "blur:300" }, "blur=38"],
    ];
    for (const [opts, variant] of cases) {
      const res = await gateway(url(opts));
      expect(res.status, url(opts)).toBe(301);
      expect(res.headers.get("location")).toBe(`${DELIVERY}/${m.imageId}/${variant}`);
      expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
      expect(await res.text()).toBe("");
    }
  });

  it("redirects imgix URLs built by @imgix/js-core with their parameters translated", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "products/shoe #1.png");
    const client = new ImgixClient({ domain: s.host, includeLibraryParam: true });
    const res = await gateway(
      client.buildURL("/products/shoe #1.png", {
        w: 640,
        fit: "crop",
        crop: "faces",
        auto: "format,compress",
      }),
    );
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(
      `${DELIVERY}/${m.imageId}/w=640,fit=cover,gravity=face,quality=45,format=auto`,
    );
  });

  it("answers HEAD like GET, without a body", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "h.jpg");
    const res = await gateway(`https://${s.host}/h.jpg?w=10`, { method: "HEAD" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${DELIVERY}/${m.imageId}/w=10`);
  });

  it("uses the source's redirect status", async () => {
    const s = await createSource({ kind: "imgix", redirectStatus: 307 });
    await mapKey(s.id, "t.jpg");
    expect((await gateway(`https://${s.host}/t.jpg`)).status).toBe(307);
  });

  it("percent-encodes each segment of the image id in the delivery URL", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "x.jpg", await (await import("../helpers")).uploadImage("legacy/a b+c"));
    const res = await gateway(`https://${s.host}/x.jpg`);
    expect(res.headers.get("location")).toBe(`${DELIVERY}/legacy/a%20b%2Bc/public`);
    expect(m.imageId).toBe("legacy/a b+c");
  });

  it("points at the local Images mock on its own origin when DELIVERY_BASE_URL is empty", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "local.jpg");
    const { res } = await fetchWith(`http://${s.host}:8787/local.jpg?w=50`, { DELIVERY_BASE_URL: "" });
    expect(res.headers.get("location")).toBe(
      `http://${s.host}:8787/__cf_local/imagedelivery/${m.imageId}/w=50`,
    );
  });

  it("uses named variants or the default when flexible variants are off", async () => {
    const s = await createSource({
      kind: "cloudinary",
      defaultVariant: "large",
      options: { namedTransformations: { t_thumb: "thumbnail" } },
    });
    const m = await mapKey(s.id, "sample");
    const get = async (path: string) =>
      (await fetchWith(`https://${s.host}${path}`, { FLEXIBLE_VARIANTS: "false" })).res;
    expect((await get("/image/upload/w_300/sample.jpg")).headers.get("location")).toBe(
      `${DELIVERY}/${m.imageId}/large`,
    );
    expect((await get("/image/upload/t_thumb/sample.jpg")).headers.get("location")).toBe(
      `${DELIVERY}/${m.imageId}/thumbnail`,
    );
    // With flexible variants on, a named transformation alone still picks its variant.
    expect((await gateway(`https://${s.host}/image/upload/t_thumb/sample.jpg`)).headers.get("location")).toBe(
      `${DELIVERY}/${m.imageId}/thumbnail`,
    );
  });
});

describe("redirect: cost of the hot path", () => {
  it("answers repeated hits of an asset from cache, without reading D1", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "hot.jpg");
    expect((await gateway(`https://${s.host}/hot.jpg?w=1`)).status).toBe(301);
    // Remove the row behind the gateway's back: only a cached lookup can still answer.
    await env.DB.prepare("DELETE FROM mappings WHERE id = ?").bind(m.id).run();
    const again = await gateway(`https://${s.host}/hot.jpg?w=2`);
    expect(again.status).toBe(301);
    expect(again.headers.get("location")).toBe(`${DELIVERY}/${m.imageId}/w=2`);
  });

  it("picks up a source changed by another isolate at its next re-read, even for hot URLs", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "moved.jpg");
    const get = async () => {
      const { res, settled } = await fetchWith(`https://${s.host}/moved.jpg?w=9`, { SOURCES_CACHE_TTL: "0" });
      await settled;
      return res.status;
    };
    expect(await get()).toBe(301);
    expect(await get()).toBe(301); // answered from memory; the re-read finds nothing new
    // Another isolate's admin write: only D1 changes, nothing in this isolate is told.
    await env.DB.prepare("UPDATE sources SET redirect_status = 308 WHERE id = ?").bind(s.id).run();
    await get(); // still the remembered answer, while the re-read it triggers sees the change
    expect(await get()).toBe(308);
  });

  it("counts hits in memory (repeated URLs too) and writes them in one flush, not one write per request", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "count.jpg");
    for (let i = 0; i < 20; i++) {
      const hit = await fetchWith(`https://${s.host}/count.jpg?w=${(i % 5) + 1}`, {
        HIT_FLUSH_INTERVAL: "3600",
      });
      await hit.settled;
    }
    const before = await admin("GET", `/mappings/${m.id}`);
    expect(before.body.result.hits).toBe(0);
    // A flush that is due (interval 0) writes the buffered count at once.
    await (
      await fetchWith(`https://${s.host}/count.jpg`, { HIT_FLUSH_INTERVAL: "0" })
    ).settled;
    const after = await admin("GET", `/mappings/${m.id}`);
    expect(after.body.result.hits).toBe(21);
    expect(Date.now() - Date.parse(after.body.result.lastHitAt)).toBeLessThan(60_000);
  });
});
