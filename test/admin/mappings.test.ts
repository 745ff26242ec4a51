import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  admin,
  createSource,
  DELIVERY,
  expectError,
  gateway,
  mapKey,
  READ_TOKEN,
  uploadImage,
  uniqueId,
} from "../helpers";

describe("mappings: create", () => {
  it("maps a legacy URL, parsed like the redirect path, and redirects it", async () => {
    const host = `${uniqueId("h")}.example.com`;
    const s = await createSource({ kind: "imgix", host, origin: "https://demo.imgix.net" });
    const imageId = await uploadImage();
    const res = await admin("POST", "/mappings", {
      url: `https://${host}/folder/my%20cat.jpg?w=300&ixlib=js-3.8.0`,
      imageId,
    });
    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      source: s.id,
      key: "folder/my cat.jpg",
      imageId,
      state: "ready",
      originUrl: "https://demo.imgix.net/folder/my%20cat.jpg",
      attempts: 0,
      lastError: null,
      hits: 0,
      lastHitAt: null,
    });
    expect(typeof res.body.result.id).toBe("number");
    const r = await gateway(`https://${host}/folder/my%20cat.jpg?w=100`);
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toBe(`${DELIVERY}/${imageId}/w=100`);
  });

  it("maps {source, key} and computes the canonical origin URL", async () => {
    const s = await createSource({ kind: "cloudinary", origin: "https://res.cloudinary.com/demo" });
    const m = await mapKey(s.id, "folder/sample photo");
    expect(m.originUrl).toBe("https://res.cloudinary.com/demo/image/upload/folder/sample%20photo");
  });

  it("answers 409 when the asset is already mapped, and replaces it with upsert", async () => {
    const s = await createSource({ kind: "imgix" });
    const first = await mapKey(s.id, "a.jpg");
    const other = await uploadImage();
    const conflict = await admin("POST", "/mappings", { source: s.id, key: "a.jpg", imageId: other });
    expect(conflict.status).toBe(409);
    expect(conflict.body.errors[0]!.code).toBe(3101);
    expect((await admin("GET", `/mappings/${first.id}`)).body.result.imageId).toBe(first.imageId);

    const up = await admin("POST", "/mappings", { source: s.id, key: "a.jpg", imageId: other, upsert: true });
    expect(up.status).toBe(201);
    expect(up.body.result).toMatchObject({ id: first.id, imageId: other, state: "ready" });
  });

  it("lets exactly one of two concurrent creates of the same asset win", async () => {
    const s = await createSource({ kind: "imgix" });
    const [a, b] = [await uploadImage(), await uploadImage()];
    const results = await Promise.all([
      admin("POST", "/mappings", { source: s.id, key: "race.jpg", imageId: a }),
      admin("POST", "/mappings", { source: s.id, key: "race.jpg", imageId: b }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = results.find((r) => r.status === 201)!.body.result;
    const list = await admin("GET", `/mappings?source=${s.id}`);
    expect(list.body.result).toHaveLength(1);
    expect(list.body.result[0].imageId).toBe(winner.imageId);
  });

  it.each([
    [{ imageId: "x" }, "url"],
    [{ url: "https://a/b.jpg", source: "x", key: "y", imageId: "x" }, "url"],
    [{ source: "x", imageId: "x" }, "key"],
    [{ url: "not a url", imageId: "x" }, "url"],
    [{ url: "https://no-source-here.invalid/b.jpg", imageId: "x" }, "url"],
    [{ source: "x", key: "y", imageId: "" }, "imageId"],
    [{ source: "x", key: "y", imageId: "/lead" }, "imageId"],
  ])("answers 422 naming the field for %j", async (body, field) => {
    await expectError(await admin("POST", "/mappings", body), 422, 1004, field);
  });

  it("answers 422 when the image does not exist, the source does not exist, or the key is invalid", async () => {
    const s = await createSource({ kind: "imgix" });
    const noImage = await admin("POST", "/mappings", {
      source: s.id,
      key: "a.jpg",
      imageId: "no-such-image",
    });
    expect(noImage.status).toBe(422);
    expect(noImage.body.errors[0]!.message).toMatch(/^imageId: no image/);
    const imageId = await uploadImage();
    const noSource = await admin("POST", "/mappings", { source: "nope-nope", key: "a.jpg", imageId });
    expect(noSource.body.errors[0]!.message).toMatch(/^source:/);
    for (const key of ["../etc/passwd", "/abs", "a\u0000b", "x".repeat(1025)]) {
      const bad = await admin("POST", "/mappings", { source: s.id, key, imageId });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]!.message).toMatch(/^key:/);
    }
    expect((await admin("GET", `/mappings?source=${s.id}`)).body.result).toHaveLength(0);
  });
});

describe("mappings: read, update, delete", () => {
  it("patches the image of a mapping and the redirect follows at once", async () => {
    const host = `${uniqueId("h")}.example.com`;
    const s = await createSource({ kind: "imgix", host });
    const m = await mapKey(s.id, "p.jpg");
    expect((await gateway(`https://${host}/p.jpg`)).headers.get("location")).toContain(
      `/${m.imageId}/public`,
    );
    const next = await uploadImage();
    const res = await admin("PATCH", `/mappings/${m.id}`, { imageId: next });
    expect(res.status).toBe(200);
    expect(res.body.result.imageId).toBe(next);
    expect((await gateway(`https://${host}/p.jpg`)).headers.get("location")).toContain(`/${next}/public`);
    expect((await admin("PATCH", `/mappings/${m.id}`, { imageId: "missing-image" })).status).toBe(422);
    expect((await admin("PATCH", `/mappings/${m.id}`, { state: "ready" })).status).toBe(422);
  });

  it("deletes a mapping; its URL stops redirecting; the image stays", async () => {
    const host = `${uniqueId("h")}.example.com`;
    const s = await createSource({ kind: "imgix", host });
    const m = await mapKey(s.id, "d.jpg");
    expect((await gateway(`https://${host}/d.jpg`)).status).toBe(301);
    expect((await admin("DELETE", `/mappings/${m.id}`)).status).toBe(200);
    expect((await admin("GET", `/mappings/${m.id}`)).status).toBe(404);
    expect((await gateway(`https://${host}/d.jpg`)).status).toBe(404);
    expect(await env.IMAGES.hosted.image(m.imageId).details()).not.toBeNull();
  });

  it("answers 404 for unknown or malformed mapping ids", async () => {
    for (const id of ["999999999", "abc", "1.5", "-1"]) {
      const res = await admin("GET", `/mappings/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.errors[0]!.code).toBe(3100);
    }
    expect((await admin("DELETE", "/mappings/999999999")).status).toBe(404);
  });
});

describe("mappings: list", () => {
  it("pages through every mapping exactly once with the cursor", async () => {
    const s = await createSource({ kind: "imgix" });
    const imageId = await uploadImage();
    const keys = Array.from({ length: 25 }, (_, i) => `k/${String(i).padStart(2, "0")}.jpg`);
    for (const key of keys) await admin("POST", "/mappings", { source: s.id, key, imageId });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/mappings?source=${s.id}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await admin("GET", q, undefined, { token: READ_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body.result_info!.count).toBe(res.body.result.length);
      seen.push(...res.body.result.map((m: { key: string }) => m.key));
      cursor = res.body.result_info!.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(keys);
  });

  it("filters by state and key prefix", async () => {
    const s = await createSource({ kind: "imgix" });
    const imageId = await uploadImage();
    for (const key of ["cats/a.jpg", "cats/b.jpg", "catsup.jpg", "dogs/a.jpg", "cats%/x.jpg"]) {
      await admin("POST", "/mappings", { source: s.id, key, imageId });
    }
    const cats = await admin("GET", `/mappings?source=${s.id}&prefix=${encodeURIComponent("cats/")}`);
    expect(cats.body.result.map((m: { key: string }) => m.key)).toEqual(["cats/a.jpg", "cats/b.jpg"]);
    const pct = await admin("GET", `/mappings?source=${s.id}&prefix=${encodeURIComponent("cats%")}`);
    expect(pct.body.result.map((m: { key: string }) => m.key)).toEqual(["cats%/x.jpg"]);
    const ready = await admin("GET", `/mappings?source=${s.id}&state=ready`);
    expect(ready.body.result).toHaveLength(5);
    const failed = await admin("GET", `/mappings?source=${s.id}&state=failed`);
    expect(failed.body.result).toHaveLength(0);
  });

  it.each([
    ["limit=1001", "limit"],
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["state=done", "state"],
    ["cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["unknown=1", "body"],
  ])("answers 422 to %s", async (query, field) => {
    const res = await admin("GET", `/mappings?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.errors[0]!.message.startsWith(`${field}:`)).toBe(true);
  });

  it("defaults to 100 per page and accepts 1000", async () => {
    const s = await createSource({ kind: "imgix" });
    const imageId = await uploadImage();
    const now = new Date().toISOString();
    const stmt = env.DB.prepare(
      "INSERT INTO mappings (source, key, image_id, state, created_at, updated_at) VALUES (?, ?, ?, 'ready', ?, ?)",
    );
    await env.DB.batch(
      Array.from({ length: 150 }, (_, i) => stmt.bind(s.id, `bulk/${i}`, imageId, now, now)),
    );
    const page = await admin("GET", `/mappings?source=${s.id}`);
    expect(page.body.result).toHaveLength(100);
    expect(page.body.result_info!.cursor).not.toBeNull();
    const big = await admin("GET", `/mappings?source=${s.id}&limit=1000`);
    expect(big.body.result).toHaveLength(150);
    expect(big.body.result_info!.cursor).toBeNull();
  });
});

describe("mappings: storage faults", () => {
  /** A D1 binding whose every query fails, as when D1 cannot be reached. */
  const unreachableD1 = () => {
    const fail = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
    const statement = { bind: () => statement, all: fail, run: fail, raw: fail, first: fail };
    const session = { prepare: () => statement, batch: fail };
    return { ...session, withSession: () => session };
  };

  it("answers 503 storage_unavailable, not a 422 naming the source, when D1 fails", async () => {
    const s = await createSource({ kind: "imgix" });
    const imageId = await uploadImage();
    const res = await admin(
      "POST",
      "/mappings",
      { source: s.id, key: "a.png", imageId },
      { vars: { DB: unreachableD1() } },
    );
    expect(res.status).toBe(503);
    expect(res.body.errors[0]).toEqual({ code: 1200, message: "Storage is temporarily unavailable" });
  });
});
