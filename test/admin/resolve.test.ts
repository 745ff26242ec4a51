import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, mapKey, READ_TOKEN } from "../helpers";

const resolve = (url: string) => admin("POST", "/resolve", { url });

describe("POST /_admin/resolve", () => {
  it("reports a mapped asset exactly as the redirect path answers it", async () => {
    const s = await createSource({ kind: "cloudinary", options: { cloudName: "demo" } });
    const m = await mapKey(s.id, "folder/sample");
    const url = `https://${s.host}/demo/image/upload/c_fill,g_face,w_400,h_300,q_80,f_auto/v17/folder/sample.jpg`;
    const res = await resolve(url);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({
      source: s.id,
      key: "folder/sample",
      options: { width: 400, height: 300, fit: "cover", gravity: "face", quality: 80, format: "auto" },
      variant: "w=400,h=300,fit=cover,gravity=face,quality=80,format=auto",
      mapping: expect.objectContaining({ id: m.id, imageId: m.imageId, state: "ready" }),
      action: "redirect",
      location: `${DELIVERY}/${m.imageId}/w=400,h=300,fit=cover,gravity=face,quality=80,format=auto`,
    });
    expect((await gateway(url)).headers.get("location")).toBe(res.body.result.location);
  });

  it("has no side effects: no hit counted, nothing cached, nothing created", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://o.imgix.net" });
    const m = await mapKey(s.id, "side.jpg");
    await resolve(`https://${s.host}/side.jpg`);
    await resolve(`https://${s.host}/unmapped.jpg`);
    const rows = await env.DB.prepare("SELECT key, hits FROM mappings WHERE source = ?").bind(s.id).all();
    expect(rows.results).toEqual([{ key: "side.jpg", hits: 0 }]);
    // Resolve read D1, not a cache it filled: deleting the row changes its answer at once.
    await env.DB.prepare("DELETE FROM mappings WHERE id = ?").bind(m.id).run();
    expect((await resolve(`https://${s.host}/side.jpg`)).body.result.action).toBe("ingest");
  });

  it("reports ingest, redirect-origin and not-found for unmapped assets by onMiss", async () => {
    const ingest = await createSource({ kind: "imgix", origin: "https://o.imgix.net" });
    const origin = await createSource({
      kind: "imgix",
      origin: "https://o.imgix.net",
      onMiss: "redirect-origin",
    });
    const none = await createSource({ kind: "imgix" });
    const a = (await resolve(`https://${ingest.host}/n.jpg?w=5`)).body.result;
    expect(a).toMatchObject({ action: "ingest", location: "https://o.imgix.net/n.jpg", mapping: null });
    const b = (await resolve(`https://${origin.host}/n.jpg`)).body.result;
    expect(b).toMatchObject({ action: "redirect-origin", location: "https://o.imgix.net/n.jpg" });
    const c = (await resolve(`https://${none.host}/n.jpg`)).body.result;
    expect(c).toMatchObject({ action: "not-found", location: null, error: { code: 2004 } });
  });

  it("reports invalid URLs and URLs no source serves", async () => {
    const s = await createSource({ kind: "cloudinary" });
    const bad = (await resolve(`https://${s.host}/video/upload/dog.mp4`)).body.result;
    expect(bad).toMatchObject({
      source: s.id,
      action: "invalid",
      key: null,
      location: null,
      error: { code: 2001 },
    });
    const nobody = (await resolve("https://nobody.invalid/x.jpg")).body.result;
    expect(nobody).toMatchObject({ source: null, action: "not-found", error: { code: 2000 } });
  });

  it("validates its body and needs a write token", async () => {
    expect((await resolve("not a url")).status).toBe(422);
    expect((await admin("POST", "/resolve", {})).status).toBe(422);
    expect((await admin("POST", "/resolve", { url: "https://a/b" }, { token: READ_TOKEN })).status).toBe(403);
  });
});
