import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, mapKey, uploadImage } from "../helpers";
import { imagesOfSource, mappingOf } from "../ingest/helpers";
import { adminCall, imageBytesOf, imageIdOf, mutableOrigin, pngVersion, runCron } from "./helpers";

const sha256 = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

async function statsOf(source: string) {
  const res = await admin("GET", "/stats");
  return {
    one: res.body.result.sources.find((s: any) => s.source === source),
    totals: res.body.result.totals,
  };
}

/** A source with one asset ingested by its first hit; returns the legacy URL and its first image. */
async function ingested(
  host: string,
  fields: Record<string, unknown> = {},
  opts: { conditional?: boolean } = {},
) {
  const o = mutableOrigin(host, pngVersion(1), opts);
  const s = await createSource({ kind: "imgix", origin: `https://${host}`, ...fields });
  const url = `https://${s.host}/products/shoe.png?w=300`;
  const first = await gateway(url);
  expect(first.status).toBe(301);
  return { ...o, s, url, firstId: imageIdOf(first.headers.get("location")) };
}

describe("what a mapping records", () => {
  it("an ingest records the SHA-256 (computed while streaming), size, ETag, Last-Modified and checkedAt; resolve shows them", async () => {
    const { s, url } = await ingested("record.origin.test");
    const m = await mappingOf(s.id, "products/shoe.png");
    expect(m).toMatchObject({
      state: "ready",
      contentSha256: await sha256(pngVersion(1)),
      bytes: 3000,
      etag: '"v1"',
      lastModified: "Wed, 01 Jan 2025 00:00:00 GMT",
      refreshOutcome: null,
    });
    expect(Date.parse(m.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    const resolved = await admin("POST", "/resolve", { url });
    expect(resolved.body.result.mapping).toMatchObject({
      contentSha256: m.contentSha256,
      checkedAt: m.checkedAt,
      refreshOutcome: null,
    });
  });

  it("a mapping made by an operator has nothing recorded: never checked", async () => {
    const s = await createSource({ kind: "http" });
    const m = await mapKey(s.id, "op.png");
    expect(m).toMatchObject({ contentSha256: null, etag: null, lastModified: null, checkedAt: null });
  });
});

describe("POST /_admin/refresh {url}", () => {
  it("unchanged (304 to If-None-Match): nothing uploaded, only checkedAt moves", async () => {
    const { s, url, firstId, origin } = await ingested("same304.origin.test");
    const before = await mappingOf(s.id, "products/shoe.png");
    const res = await admin("POST", "/refresh", { url });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ status: "unchanged", source: s.id, key: "products/shoe.png" });
    expect(origin.requests[1]!.headers.get("if-none-match")).toBe('"v1"');
    expect(origin.requests[1]!.headers.get("if-modified-since")).toBe("Wed, 01 Jan 2025 00:00:00 GMT");
    const after = await mappingOf(s.id, "products/shoe.png");
    expect(after).toMatchObject({
      imageId: firstId,
      contentSha256: before.contentSha256,
      refreshOutcome: "unchanged",
    });
    expect(after.checkedAt > before.checkedAt).toBe(true);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
    expect((await statsOf(s.id)).one.refreshes).toEqual({ unchanged: 1, changed: 0, gone: 0, failed: 0 });
  });

  it("unchanged (same bytes from an origin that ignores validators): nothing uploaded", async () => {
    const { s, url, firstId } = await ingested("samebytes.origin.test", {}, { conditional: false });
    const res = await admin("POST", "/refresh", { url });
    expect(res.body.result).toMatchObject({ status: "unchanged", mapping: { imageId: firstId } });
    expect(await imagesOfSource(s.id)).toHaveLength(1);
  });

  it("changed: new bytes under a new image id, the legacy URL follows; the old image stays until the cron deletes it after REDIRECT_MAX_AGE", async () => {
    const { s, url, firstId, replace } = await ingested("changed.origin.test");
    replace(pngVersion(2));
    const vars = { REDIRECT_MAX_AGE: "60", LOOKUP_CACHE_TTL: "30" };
    const at = Date.now();
    const res = await adminCall("POST", "/refresh", { url }, vars);
    expect(res.status).toBe(200);
    const result = res.body.result;
    expect(result).toMatchObject({ status: "changed", previousImageId: firstId });
    const newId = result.mapping.imageId;
    expect(newId).not.toBe(firstId);
    expect(result.mapping).toMatchObject({
      contentSha256: await sha256(pngVersion(2)),
      etag: '"v2"',
      refreshOutcome: "changed",
    });

    // Following the legacy URL yields the new bytes at once (this isolate's caches were dropped).
    const hit = await gateway(url);
    expect(hit.status).toBe(301);
    expect(hit.headers.get("location")).toBe(`${DELIVERY}/${newId}/w=300`);
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
    // A browser still holding the old redirect gets the old image.
    expect(await imageBytesOf(firstId)).toEqual(pngVersion(1));

    await runCron(at + 89_000, vars); // before LOOKUP_CACHE_TTL + REDIRECT_MAX_AGE have passed
    expect(await imageBytesOf(firstId)).toEqual(pngVersion(1));
    await runCron(at + 91_000 + 5_000, vars);
    expect(await imageBytesOf(firstId)).toBeNull();
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
    expect((await statsOf(s.id)).one.refreshes).toMatchObject({ changed: 1 });
  });

  it("changed back and forth: every version gets its own id, the legacy URL always serves the latest", async () => {
    const { s, url, replace } = await ingested("flip.origin.test");
    const ids = [];
    for (const v of [2, 3, 2]) {
      replace(pngVersion(v));
      const res = await admin("POST", "/refresh", { url });
      expect(res.body.result.status).toBe("changed");
      ids.push(res.body.result.mapping.imageId);
      expect(await imageBytesOf(imageIdOf((await gateway(url)).headers.get("location")))).toEqual(
        pngVersion(v),
      );
    }
    // Version 2 came back while its image was still retired: the same content id, reused.
    expect(ids[2]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(2);
    expect((await mappingOf(s.id, "products/shoe.png")).imageId).toBe(ids[2]);
  });

  it("a mapping recorded before digests were kept is compared with the image in Images", async () => {
    const o = mutableOrigin("legacyrow.origin.test", pngVersion(7));
    const s = await createSource({ kind: "imgix", origin: "https://legacyrow.origin.test" });
    const same = await uploadImage(undefined, pngVersion(7));
    await mapKey(s.id, "a.png", same);
    const res = await admin("POST", "/refresh", { url: `https://${s.host}/a.png` });
    expect(res.body.result).toMatchObject({ status: "unchanged", mapping: { imageId: same } });
    // Recorded now: the next refresh is conditional.
    expect(res.body.result.mapping.contentSha256).toBe(await sha256(pngVersion(7)));
    await admin("POST", "/refresh", { url: `https://${s.host}/a.png` });
    expect(o.origin.requests[1]!.headers.get("if-none-match")).toBe('"v1"');
  });

  it("an operator's own image that a refresh replaced is never deleted by the cron", async () => {
    mutableOrigin("operator.origin.test", pngVersion(8));
    const s = await createSource({ kind: "imgix", origin: "https://operator.origin.test" });
    const mine = await uploadImage(undefined, pngVersion(9));
    await mapKey(s.id, "b.png", mine);
    const res = await adminCall(
      "POST",
      "/refresh",
      { url: `https://${s.host}/b.png` },
      { REDIRECT_MAX_AGE: "0", LOOKUP_CACHE_TTL: "0" },
    );
    expect(res.body.result).toMatchObject({ status: "changed", previousImageId: mine });
    await runCron(Date.now() + 1000);
    expect(await imageBytesOf(mine)).toEqual(pngVersion(9));
  });

  it("origin gone with onOriginGone keep (default): the copy stays and keeps being served", async () => {
    const { s, url, firstId, remove } = await ingested("gonekeep.origin.test");
    remove(410);
    const res = await admin("POST", "/refresh", { url });
    expect(res.body.result).toMatchObject({
      status: "gone",
      mapping: { state: "ready", imageId: firstId, refreshOutcome: "gone" },
    });
    expect(res.body.result.mapping.lastError).toMatch(/410.*kept/);
    expect((await gateway(url)).headers.get("location")).toBe(`${DELIVERY}/${firstId}/w=300`);
    expect((await statsOf(s.id)).one.refreshes).toMatchObject({ gone: 1 });
  });

  it("origin gone with onOriginGone orphan: the mapping is orphaned, its image retired and never brought back", async () => {
    const { s, url, firstId, remove, origin } = await ingested("goneorphan.origin.test", {
      onOriginGone: "orphan",
    });
    remove(404);
    const res = await admin("POST", "/refresh", { url });
    expect(res.body.result).toMatchObject({
      status: "gone",
      mapping: { state: "orphaned", refreshOutcome: "gone" },
    });
    // The next hit asks the origin again (onMiss: ingest) instead of reusing the retired image.
    const hit = await gateway(url);
    expect(hit.status).toBe(404);
    expect((await hit.json<any>()).errors[0]!.code).toBe(2005);
    expect(origin.hits()).toBe(3);
    expect(await imageBytesOf(firstId)).toEqual(pngVersion(1)); // until the cron's time comes
  });

  it("origin failing: recorded as failed with its reason, the copy keeps being served", async () => {
    const { s, url, firstId, remove } = await ingested("fail.origin.test");
    remove(503);
    const res = await admin("POST", "/refresh", { url });
    expect(res.body.result).toMatchObject({
      status: "failed",
      error: { code: 4000 },
      mapping: { state: "ready", refreshOutcome: "failed" },
    });
    expect((await gateway(url)).headers.get("location")).toBe(`${DELIVERY}/${firstId}/w=300`);
    expect((await statsOf(s.id)).one.refreshes).toMatchObject({ failed: 1 });
  });

  it("an unmapped asset is a 404, an unparseable URL a 422", async () => {
    mutableOrigin("unmapped.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://unmapped.origin.test" });
    const res = await admin("POST", "/refresh", { url: `https://${s.host}/never.png` });
    expect(res.status).toBe(404);
    expect(res.body.errors[0]!.code).toBe(3100);
    expect((await admin("POST", "/refresh", { url: "not a url" })).status).toBe(422);
    expect((await admin("POST", "/refresh", { url: "https://nobody.test/x.png" })).status).toBe(422);
  });

  it("a missing mapping is ingested again when the origin has it now", async () => {
    const o = mutableOrigin("back.origin.test", pngVersion(1));
    o.remove(404);
    const s = await createSource({ kind: "imgix", origin: "https://back.origin.test" });
    const url = `https://${s.host}/late.png`;
    expect((await gateway(url)).status).toBe(404);
    o.replace(pngVersion(4));
    o.restore();
    const res = await admin("POST", "/refresh", { url });
    expect(res.body.result).toMatchObject({ status: "ingested", mapping: { state: "ready" } });
    expect((await gateway(url)).status).toBe(301);
  });
});

describe("POST /_admin/refresh: one asset; many go through a refresh job", () => {
  it("refuses a list with a 422 that points at refresh jobs, and a URL that is not mapped with 404", async () => {
    const { s, url } = await ingested("batch.origin.test");
    const list = await admin("POST", "/refresh", { urls: [url] });
    expect(list.status).toBe(422);
    expect(list.body.errors.map((e) => e.message)).toContain("body: unknown field: urls");
    const none = await admin("POST", "/refresh", { url: `https://${s.host}/none.png` });
    expect(none.status).toBe(404);
    expect(none.body.errors[0]!.code).toBe(3100);
  });
});
