import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { config } from "../../src/config";
import worker from "../../src/index";
import { admin, createSource, gateway, mapKey, uniqueId, uploadImage, fetchWith } from "../helpers";
import { faultyD1, faultyImages } from "../faults";
import { serveOrigin } from "../origin";
import { idOf, imageBytes, imageResponse, mappingOf, readAll } from "../ingest/helpers";

describe("source origins are stored normalised and without credentials", () => {
  it("an origin with a newline is stored as URL reads it, and its origin redirects work", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://o.test/a\nb", onMiss: "redirect-origin" });
    expect(s.origin).toBe("https://o.test/ab");
    const res = await gateway(`https://${s.host}/x.jpg`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://o.test/ab/x.jpg");
  });

  it("refuses an origin with a user name or password (422)", async () => {
    for (const origin of ["https://user:secret@o.test/a", "https://user@o.test"]) {
      const res = await admin("POST", "/sources", { id: uniqueId("cred"), kind: "imgix", origin });
      expect(res.status, origin).toBe(422);
      expect(res.body.errors[0]!.message).toMatch(/^origin:/);
    }
  });
});

describe("image ids given to mappings follow the custom-id segment rules", () => {
  const bad = ["a/../b", "a//b", "./x", "x/.", "..", "a\nb"];

  it("POST and PATCH /_admin/mappings refuse empty, '.' and '..' segments (422)", async () => {
    const s = await createSource({ kind: "imgix" });
    for (const imageId of bad) {
      const res = await admin("POST", "/mappings", { source: s.id, key: "k.jpg", imageId });
      expect(res.status, imageId).toBe(422);
      expect(res.body.errors[0]!.message).toMatch(/^imageId:/);
    }
    const m = await mapKey(s.id, "ok.jpg");
    const patch = await admin("PATCH", `/mappings/${m.id}`, { imageId: "a/../b" });
    expect(patch.status).toBe(422);
  });

  it("bulk import reports such ids as line errors and stores nothing for them", async () => {
    const s = await createSource({ kind: "imgix" });
    const ndjson = bad
      .map((imageId, i) => JSON.stringify({ source: s.id, key: `k${i}.jpg`, imageId }))
      .join("\n");
    const res = await admin("POST", "/mappings/import", undefined, {
      raw: ndjson,
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.created).toBe(0);
    expect(res.body.result.errors.map((e: { line: number }) => e.line)).toEqual(bad.map((_, i) => i + 1));
  });
});

describe("/_health answers from a short per-isolate cache", () => {
  it("a second call within a few seconds reads neither D1 nor Images", async () => {
    let statements = 0;
    let lists = 0;
    const probed = {
      ...env,
      DB: faultyD1(env.DB, { before: () => void statements++ }),
      IMAGES: faultyImages(env.IMAGES, { before: (op) => void (op === "list" && lists++) }),
    } as Env;
    const call = () => worker.fetch(new Request("http://gw.test/_health"), probed, createExecutionContext());
    const first = await call();
    expect(first.status).toBe(200);
    expect([statements, lists]).toEqual([1, 1]);
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200);
    expect([statements, lists]).toEqual([1, 1]);
  });
});

describe("the ingest timeout fits in the lease", () => {
  it("is clamped below the lease length, so a lease never expires under a running ingest", () => {
    const cfg = config({ INGEST_TIMEOUT_MS: "120000", INGEST_LEASE_SECONDS: "60" } as unknown as Env);
    expect(cfg.ingestTimeoutMs).toBeLessThan(cfg.ingestLeaseMs);
    expect(cfg.ingestTimeoutMs).toBe(55_000);
    expect(config({ INGEST_LEASE_SECONDS: "4" } as unknown as Env).ingestTimeoutMs).toBe(2000);
    expect(config({} as Env).ingestTimeoutMs).toBe(15_000);
  });
});

describe("deterministic-id reuse checks where the image came from", () => {
  it("a source recreated with another origin ingests from the new origin, not the old image", async () => {
    const id = uniqueId("recreated");
    const host = `${id}.test`;
    const oldBytes = imageBytes("png", 3000);
    const newBytes = imageBytes("gif", 5000);
    serveOrigin("old.origin.test", () => imageResponse(oldBytes));
    const fresh = serveOrigin("new.origin.test", () => imageResponse(newBytes, "image/gif"));
    const create = (origin: string) => admin("POST", "/sources", { id, host, kind: "imgix", origin });

    expect((await create("https://old.origin.test")).status).toBe(201);
    expect((await gateway(`https://${host}/photo.jpg`)).status).toBe(301);
    const before = await mappingOf(id, "photo.jpg");
    expect((await admin("DELETE", `/sources/${id}?cascade=true`)).status).toBe(200);

    expect((await create("https://new.origin.test")).status).toBe(201);
    // (The edge cache may still hold the old lookup for LOOKUP_CACHE_TTL: read D1.)
    const { res, settled } = await fetchWith(`https://${host}/photo.jpg`, { LOOKUP_CACHE_TTL: "0" });
    await settled;
    expect(res.status).toBe(301);
    const after = await mappingOf(id, "photo.jpg");
    expect(fresh.hits()).toBe(1);
    expect(after.imageId).not.toBe(before.imageId);
    const stored = await readAll(await env.IMAGES.hosted.image(after.imageId).bytes());
    expect(stored).toEqual(newBytes);
  });

  it("an image under the deterministic id without originUrl metadata is still reused", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://reuse.origin.test" });
    const origin = serveOrigin("reuse.origin.test", () => imageResponse(imageBytes("png")));
    await uploadImage(await idOf(s.id, "pre.jpg"));
    expect((await gateway(`https://${s.host}/pre.jpg`)).status).toBe(301);
    expect(origin.hits()).toBe(0);
  });
});
