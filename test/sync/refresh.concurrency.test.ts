import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, uploadImage } from "../helpers";
import { imagesOfSource, mappingOf } from "../ingest/helpers";
import { serveOrigin } from "../origin";
import { call, imageBytesOf, imageIdOf, pngVersion, runCron } from "./helpers";

/** An origin whose answers wait for `open()`, serving whatever `bytes` holds when they are let through. */
function gatedOrigin(host: string, first: Uint8Array) {
  let bytes = first;
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const origin = serveOrigin(host, async () => {
    await gate;
    return new Response(bytes, { headers: { "content-type": "image/png" } });
  });
  return {
    origin,
    set(b: Uint8Array) {
      bytes = b;
    },
    close() {
      gate = new Promise((resolve) => (open = resolve));
    },
    open: () => open(),
  };
}

/** Resolves once `origin` has received `n` requests. */
async function received(origin: { hits(): number }, n: number) {
  for (let i = 0; i < 500 && origin.hits() < n; i++) await new Promise((r) => setTimeout(r, 5));
  expect(origin.hits()).toBe(n);
}

describe("refresh: concurrency and users in between", () => {
  it("a hit during a refresh gets the current image, which exists; after it, the new one", async () => {
    const o = gatedOrigin("during.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://during.origin.test" });
    const url = `https://${s.host}/hero.png?w=64`;
    const oldId = imageIdOf((await gateway(url)).headers.get("location"));

    o.set(pngVersion(2));
    o.close();
    const refreshing = admin("POST", "/refresh", { url });
    await received(o.origin, 2);
    const during = await gateway(url);
    expect(during.status).toBe(301);
    expect(during.headers.get("location")).toBe(`${DELIVERY}/${oldId}/w=64`);
    expect(await imageBytesOf(oldId)).toEqual(pngVersion(1));

    o.open();
    const done = await refreshing;
    expect(done.body.result.status).toBe("changed");
    const after = await gateway(url);
    const newId = imageIdOf(after.headers.get("location"));
    expect(newId).not.toBe(oldId);
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
    // Whoever cached the redirect of before still reaches an image.
    expect(await imageBytesOf(oldId)).toEqual(pngVersion(1));
    expect(o.origin.hits()).toBe(2);
  });

  it("two refreshes of one asset at once: one runs, the other answers 409, one upload", async () => {
    const o = gatedOrigin("twice.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://twice.origin.test" });
    const url = `https://${s.host}/a.png`;
    expect((await gateway(url)).status).toBe(301);

    o.set(pngVersion(2));
    o.close();
    const first = admin("POST", "/refresh", { url });
    await received(o.origin, 2);
    const second = await admin("POST", "/refresh", { url });
    expect(second.status).toBe(409);
    expect(second.body.errors[0]!.code).toBe(6004);
    o.open();
    expect((await first).body.result.status).toBe("changed");
    expect(o.origin.hits()).toBe(2);
    expect(await imagesOfSource(s.id)).toHaveLength(2);
  });

  it("a refresh while a first hit is ingesting is busy and fetches nothing", async () => {
    const o = gatedOrigin("racing.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://racing.origin.test" });
    const url = `https://${s.host}/b.png`;
    o.close();
    const firstHit = gateway(url);
    await received(o.origin, 1);
    const refresh = await admin("POST", "/refresh", { url });
    expect(refresh.status).toBe(409);
    o.open();
    expect([301, 302]).toContain((await firstHit).status);
    expect(o.origin.hits()).toBe(1);
    expect(await mappingOf(s.id, "b.png")).toMatchObject({ state: "ready" });
  });

  it("a first hit while a refresh holds the asset is redirected to its image, never a second ingest", async () => {
    const o = gatedOrigin("hold.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://hold.origin.test" });
    const url = `https://${s.host}/c.png`;
    expect((await gateway(url)).status).toBe(301);
    o.close();
    const refreshing = admin("POST", "/refresh", { url });
    await received(o.origin, 2);
    // Without the lookup caches, the hit reads the row the refresh holds.
    const other = await call(`${url}?w=10`, {}, { LOOKUP_CACHE_TTL: "0" });
    expect(other.status).toBe(301);
    expect(other.headers.get("location")).toMatch(new RegExp(`^${DELIVERY}/`));
    o.open();
    expect((await refreshing).body.result.status).toBe("unchanged");
    expect(o.origin.hits()).toBe(2);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
  });

  it("an operator re-pointing the mapping during a refresh wins; the refresh's upload is retired", async () => {
    const o = gatedOrigin("operator-wins.origin.test", pngVersion(1));
    const s = await createSource({ kind: "imgix", origin: "https://operator-wins.origin.test" });
    const url = `https://${s.host}/d.png`;
    expect((await gateway(url)).status).toBe(301);
    const m = await mappingOf(s.id, "d.png");
    const chosen = await uploadImage(undefined, pngVersion(3));

    o.set(pngVersion(2));
    o.close();
    const refreshing = admin("POST", "/refresh", { url });
    await received(o.origin, 2);
    expect((await admin("PATCH", `/mappings/${m.id}`, { imageId: chosen })).status).toBe(200);
    o.open();
    const done = await refreshing;
    expect(done.status).toBe(409);
    expect((await mappingOf(s.id, "d.png")).imageId).toBe(chosen);
    expect(imageIdOf((await gateway(url)).headers.get("location"))).toBe(chosen);
    // The refresh's upload belongs to nobody: the next cron run deletes it.
    expect(await imagesOfSource(s.id)).toHaveLength(2);
    await runCron(Date.now() + 1000);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
    expect(await imageBytesOf(chosen)).toEqual(pngVersion(3));
  });
});
