import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  admin,
  ADMIN_TOKEN,
  createSource,
  expectError,
  gateway,
  mapKey,
  READ_TOKEN,
  uniqueId,
} from "../helpers";
import { imageBytes, readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** POST /_admin/images/v1 with a multipart body built from `fields`. */
function upload(fields: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return admin("POST", "/images/v1", undefined, { raw: form });
}

const pngFile = (name = "photo.png", size = 3000) =>
  new File([imageBytes("png", size)], name, { type: "image/png" });

/** The raw path form of an id: each segment percent-encoded, slashes kept. */
const rawPath = (id: string) => id.split("/").map(encodeURIComponent).join("/");

async function blob(path: string) {
  return gateway(`http://gateway.test/_admin/images/v1/${path}/blob`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
}

describe("images: upload", () => {
  it("uploads a file; the bytes round-trip through /blob and the binding", async () => {
    const bytes = imageBytes("png", 5000);
    const res = await upload({ file: new File([bytes], "shoe.png", { type: "image/png" }) });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    const image = res.body.result;
    expect(image).toMatchObject({ filename: "shoe.png", requireSignedURLs: false, meta: {}, draft: false });
    expect(image.id).toMatch(UUID);
    expect(Date.parse(image.uploaded)).toBeGreaterThan(Date.now() - 60_000);
    expect(image.variants).toHaveLength(1);
    expect(image.variants[0]).toContain(`/${image.id}/public`);
    expect(image).not.toHaveProperty("creator");

    const viaApi = await blob(image.id);
    expect(viaApi.status).toBe(200);
    expect(viaApi.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await viaApi.arrayBuffer())).toEqual(bytes);
    expect(await readAll(await env.IMAGES.hosted.image(image.id).bytes())).toEqual(bytes);
  });

  it("uploads from a url, fetched once from that origin, named after its last path segment", async () => {
    const bytes = imageBytes("jpeg", 4000);
    const origin = serveOrigin("pics.origin.test", () => new Response(bytes));
    const res = await upload({ url: "https://pics.origin.test/photos/cat%20one.jpg?v=2" });
    expect(res.status).toBe(200);
    expect(res.body.result.filename).toBe("cat one.jpg");
    expect(origin.hits("/photos/cat%20one.jpg")).toBe(1);
    const back = await blob(res.body.result.id);
    expect(back.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
  });

  it("stores metadata, creator and requireSignedURLs as given", async () => {
    const meta = { sku: "A-1", tags: ["x", "y"], nested: { n: 1 } };
    const res = await upload({
      file: pngFile(),
      metadata: JSON.stringify(meta),
      creator: "ops-team",
      requireSignedURLs: "true",
    });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ meta, creator: "ops-team", requireSignedURLs: true });
    const stored = await env.IMAGES.hosted.image(res.body.result.id).details();
    expect(stored).toMatchObject({ meta, creator: "ops-team", requireSignedURLs: true });
  });

  it("accepts metadata sent as metadata[...] fields, the way the official SDK sends an object", async () => {
    const res = await upload({
      file: pngFile(),
      "metadata[alt]": "Red shoe",
      "metadata[dims][w]": "10",
      "metadata[tags][]": "a",
    });
    expect(res.status).toBe(200);
    expect(res.body.result.meta).toEqual({ alt: "Red shoe", dims: { w: "10" }, tags: ["a"] });
  });
});

describe("images: blob", () => {
  it("labels bytes by their magic numbers, SVG sandboxed, unknown bytes as octet-stream", async () => {
    const svg = imageBytes("svg");
    const svgImage = (await upload({ file: new File([svg], "logo.svg") })).body.result;
    const res = await blob(svgImage.id);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(svg);

    // Bytes put into Images by something other than this API (the binding checks nothing).
    const text = new TextEncoder().encode("plain text, not an image");
    const other = await env.IMAGES.hosted.upload(text.slice().buffer as ArrayBuffer, {});
    const raw = await blob(other.id);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(text);
  });
});

describe("images: custom ids with slashes and spaces", () => {
  it("addresses an id with raw or %2F-encoded slashes, and its bytes at /blob", async () => {
    const id = `legacy/products/shoe 1-${uniqueId("c")}`;
    const bytes = imageBytes("gif", 1000);
    const created = await upload({ file: new File([bytes], "s.gif"), id });
    expect(created.status).toBe(200);
    expect(created.body.result.id).toBe(id);
    expect(await env.IMAGES.hosted.image(id).details()).not.toBeNull();

    const raw = await admin("GET", `/images/v1/${rawPath(id)}`);
    expect(raw.status).toBe(200);
    expect(raw.body.result.id).toBe(id);
    const encoded = await admin("GET", `/images/v1/${encodeURIComponent(id)}`);
    expect(encoded.status).toBe(200);
    expect(encoded.body.result.id).toBe(id);

    for (const path of [rawPath(id), encodeURIComponent(id)]) {
      const res = await blob(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    }
  });

  it("tells /blob apart: a trailing unencoded /blob is the blob endpoint, an encoded one part of the id", async () => {
    const base = `folder-${uniqueId("b")}`;
    const id = `${base}/blob`;
    const bytes = imageBytes("webp", 800);
    expect((await upload({ file: new File([bytes], "w.webp"), id })).status).toBe(200);

    // `<base>%2Fblob` is the image whose id ends in /blob…
    const details = await admin("GET", `/images/v1/${base}%2Fblob`);
    expect(details.status).toBe(200);
    expect(details.body.result.id).toBe(id);
    // …and its bytes are one /blob further, in either spelling of the id.
    for (const path of [`${base}%2Fblob`, `${base}/blob`]) {
      const res = await blob(path);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    }
    // `<base>/blob` is the blob of `<base>`, which does not exist.
    const notTheDetails = await admin("GET", `/images/v1/${base}/blob`);
    expect(notTheDetails.status).toBe(404);
    expect(notTheDetails.body.errors[0]!.message).toContain(`'${base}'`);
  });
});

describe("images: list v2", () => {
  async function uploadMany(n: number, creator: string) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await upload({ file: pngFile(`${i}.png`, 200), creator });
      expect(res.status).toBe(200);
      ids.push(res.body.result.id);
    }
    return ids;
  }

  async function listAll(query: string) {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const t: string = token ? `&continuation_token=${encodeURIComponent(token)}` : "";
      const res = await admin("GET", `/images/v2?${query}${t}`, undefined, { token: READ_TOKEN });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.result).sort()).toEqual(["continuation_token", "images"]);
      seen.push(...res.body.result.images.map((i: { id: string }) => i.id));
      token = res.body.result.continuation_token;
      pages++;
    } while (token);
    return { seen, pages };
  }

  it("pages with continuation_token through every image exactly once", async () => {
    const creator = uniqueId("pager");
    const ids = await uploadMany(23, creator);
    const filtered = await listAll(`per_page=10&creator=${creator}`);
    expect(filtered.pages).toBe(3);
    expect(filtered.seen.sort()).toEqual([...ids].sort());

    const everything = await listAll("per_page=10");
    expect(new Set(everything.seen).size).toBe(everything.seen.length);
    for (const id of ids) expect(everything.seen).toContain(id);
  });

  it("sorts by upload time both ways; the token keeps the order it was issued for", async () => {
    const creator = uniqueId("sorter");
    await uploadMany(12, creator);
    const asc = await listAll(`per_page=100&creator=${creator}&sort_order=asc`);
    const desc = await listAll(`per_page=100&creator=${creator}&sort_order=desc`);
    expect(asc.seen).toHaveLength(12);
    expect(desc.seen).toEqual([...asc.seen].reverse());

    const first = await admin("GET", `/images/v2?per_page=10&creator=${creator}&sort_order=desc`);
    const token = first.body.result.continuation_token as string;
    const next = await admin("GET", `/images/v2?continuation_token=${encodeURIComponent(token)}`);
    expect(next.body.result.images.map((i: { id: string }) => i.id)).toEqual(desc.seen.slice(10));
    expect(next.body.result.continuation_token).toBeNull();
  });

  it("filters by creator", async () => {
    const mine = uniqueId("creator-a");
    const ids = await uploadMany(2, mine);
    await uploadMany(1, uniqueId("creator-b"));
    const res = await admin("GET", `/images/v2?creator=${mine}`);
    expect(res.body.result.images.map((i: { id: string }) => i.id).sort()).toEqual([...ids].sort());
    expect(res.body.result.images.every((i: { creator?: string }) => i.creator === mine)).toBe(true);
    expect(res.body.result.continuation_token).toBeNull();
  });
});

describe("images: get, patch, delete", () => {
  it("gets an image in the REST shape", async () => {
    const created = (await upload({ file: pngFile("g.png"), metadata: '{"a":1}' })).body.result;
    const res = await admin("GET", `/images/v1/${created.id}`, undefined, { token: READ_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual(created);
  });

  it("patches metadata (replacing it), creator and requireSignedURLs", async () => {
    const created = (await upload({ file: pngFile(), metadata: '{"old":true}' })).body.result;
    const res = await admin("PATCH", `/images/v1/${created.id}`, {
      metadata: { fresh: "yes" },
      requireSignedURLs: true,
      creator: "editor",
    });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      id: created.id,
      meta: { fresh: "yes" },
      requireSignedURLs: true,
      creator: "editor",
    });
    expect(await env.IMAGES.hosted.image(created.id).details()).toMatchObject({
      meta: { fresh: "yes" },
      requireSignedURLs: true,
    });
    // Omitted fields stay as they are.
    const again = await admin("PATCH", `/images/v1/${created.id}`, { requireSignedURLs: false });
    expect(again.body.result).toMatchObject({ meta: { fresh: "yes" }, requireSignedURLs: false });
  });

  it("patches an image with a custom id that contains slashes", async () => {
    const id = `patch/me ${uniqueId("p")}`;
    await upload({ file: pngFile(), id });
    const res = await admin("PATCH", `/images/v1/${rawPath(id)}`, { metadata: { k: "v" } });
    expect(res.status).toBe(200);
    expect((await env.IMAGES.hosted.image(id).details())!.meta).toEqual({ k: "v" });
  });

  it("deletes an image: gone from GET, /blob and the binding", async () => {
    const id = `to-delete/${uniqueId("d")}`;
    await upload({ file: pngFile(), id });
    const res = await admin("DELETE", `/images/v1/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ id, mappings: [] });
    expect(await env.IMAGES.hosted.image(id).details()).toBeNull();
    expect((await admin("GET", `/images/v1/${rawPath(id)}`)).status).toBe(404);
    expect((await blob(rawPath(id))).status).toBe(404);
  });
});

describe("images: deleting an image orphans its mappings", () => {
  it("marks every mapping of the image orphaned, names them, and the legacy URLs stop redirecting to it", async () => {
    const imageId = (await upload({ file: pngFile() })).body.result.id as string;
    const otherImage = (await upload({ file: pngFile() })).body.result.id as string;
    const plain = await createSource({ kind: "imgix" });
    const withOrigin = await createSource({
      kind: "imgix",
      origin: "https://orphans.origin.test",
      onMiss: "redirect-origin",
    });
    const a = await mapKey(plain.id, "shoes/a.jpg", imageId);
    const b = await mapKey(withOrigin.id, "b.jpg", imageId);
    const untouched = await mapKey(plain.id, "other.jpg", otherImage);

    // Warm the lookup cache so the test fails if the delete does not drop it.
    const before = await gateway(`https://${plain.host}/shoes/a.jpg?w=100`);
    expect(before.status).toBe(301);
    expect(before.headers.get("location")).toContain(`/${imageId}/`);
    expect((await gateway(`https://${withOrigin.host}/b.jpg`)).status).toBe(301);

    const res = await admin("DELETE", `/images/v1/${imageId}`);
    expect(res.status).toBe(200);
    expect(res.body.result.id).toBe(imageId);
    expect([...res.body.result.mappings].sort((x, y) => x.id - y.id)).toEqual([
      { id: a.id, source: plain.id, key: "shoes/a.jpg" },
      { id: b.id, source: withOrigin.id, key: "b.jpg" },
    ]);

    for (const m of [a, b]) {
      const row = (await admin("GET", `/mappings/${m.id}`)).body.result;
      expect(row).toMatchObject({ state: "orphaned", imageId });
    }
    expect((await admin("GET", `/mappings/${untouched.id}`)).body.result.state).toBe("ready");

    await expectError(await gateway(`https://${plain.host}/shoes/a.jpg?w=100`), 404, 2004);
    const toOrigin = await gateway(`https://${withOrigin.host}/b.jpg`);
    expect(toOrigin.status).toBe(302);
    expect(toOrigin.headers.get("location")).toBe("https://orphans.origin.test/b.jpg");
    expect((await gateway(`https://${plain.host}/other.jpg`)).headers.get("location")).toContain(
      `/${otherImage}/`,
    );
  });
});
