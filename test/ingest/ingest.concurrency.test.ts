import { env } from "cloudflare:workers";
import ImgixClient from "@imgix/js-core";
import { describe, expect, it } from "vitest";
import { createSource, DELIVERY, gateway } from "../helpers";
import { delay, serveOrigin } from "../origin";
import { imageBytes, imageResponse, imagesOfSource, mappingOf } from "./helpers";

describe("lazy ingestion: exactly once", () => {
  it("50 concurrent first hits (different transformations) cause one origin fetch, one upload, no 5xx", async () => {
    const origin = serveOrigin("burst.origin.test", async (_req, signal) => {
      await delay(50, signal);
      return imageResponse(imageBytes("png", 20_000));
    });
    // Signed URLs force generated image ids, so a second upload would show up as a second image.
    const s = await createSource({
      kind: "imgix",
      origin: "https://burst.origin.test",
      requireSignedURLs: true,
    });
    // Warm this isolate's copy of the sources so all 50 requests race on the mapping itself.
    expect((await gateway(`https://${s.host}/`)).status).toBe(404);
    const client = new ImgixClient({ domain: s.host });
    const urls = Array.from({ length: 50 }, (_, i) =>
      client.buildURL("/hero/banner.png", { w: 100 + i * 10, auto: "format" }),
    );

    const responses = await Promise.all(urls.map((u) => gateway(u)));
    expect(responses.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(origin.hits()).toBe(1);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
    for (const r of responses) {
      expect(r.status).toBe(302);
      const loc = r.headers.get("location")!;
      if (loc.startsWith("https://burst.origin.test")) {
        expect(loc).toBe("https://burst.origin.test/hero/banner.png");
        expect(r.headers.get("cache-control")).toBe("no-store");
      } else expect(loc.startsWith(DELIVERY)).toBe(true);
    }
    expect(await mappingOf(s.id, "hero/banner.png")).toMatchObject({ state: "ready", attempts: 1 });
  });

  it("50 concurrent first hits with a deterministic id: one origin fetch", async () => {
    const origin = serveOrigin("burst2.origin.test", async (_req, signal) => {
      await delay(20, signal);
      return imageResponse(imageBytes("jpeg"));
    });
    const s = await createSource({ kind: "imgix", origin: "https://burst2.origin.test" });
    expect((await gateway(`https://${s.host}/`)).status).toBe(404);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gateway(`https://${s.host}/p/${"x"}.jpg?w=${i + 1}&ixlib=js-3.8.0`),
      ),
    );
    expect(responses.every((r) => r.status === 301 || r.status === 302)).toBe(true);
    expect(origin.hits()).toBe(1);
    expect(responses.filter((r) => r.status === 301)).not.toHaveLength(0);
  });

  it("a lease whose holder died is taken over by the next request", async () => {
    const origin = serveOrigin("takeover.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://takeover.origin.test" });
    const past = Date.now() - 1000;
    const iso = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO mappings (source, key, state, attempts, lease_owner, lease_until, created_at, updated_at)
       VALUES (?, 'dead.png', 'ingesting', 1, 'a-dead-isolate', ?, ?, ?)`,
    )
      .bind(s.id, past, iso, iso)
      .run();
    const res = await gateway(`https://${s.host}/dead.png`);
    expect(res.status).toBe(301);
    expect(origin.hits()).toBe(1);
    expect(await mappingOf(s.id, "dead.png")).toMatchObject({ state: "ready", attempts: 2 });
  });

  it("a live lease is respected: temporary origin redirect, no fetch", async () => {
    const origin = serveOrigin("live.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://live.origin.test" });
    const iso = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO mappings (source, key, state, attempts, lease_owner, lease_until, created_at, updated_at)
       VALUES (?, 'busy.png', 'ingesting', 1, 'another-isolate', ?, ?, ?)`,
    )
      .bind(s.id, Date.now() + 60_000, iso, iso)
      .run();
    const res = await gateway(`https://${s.host}/busy.png?w=5`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://live.origin.test/busy.png");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(origin.hits()).toBe(0);
  });
});

describe("the lease itself", () => {
  it("among 50 simultaneous claims of one asset exactly one wins", async () => {
    const { claimIngestLease } = await import("../../src/db/ingest");
    const { getDb } = await import("../../src/db/client");
    const s = await createSource({ kind: "imgix", origin: "https://unused.origin.test" });
    const now = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        claimIngestLease(getDb(env, "primary"), {
          source: s.id,
          key: "k.png",
          originUrl: null,
          owner: `o${i}`,
          now,
          leaseMs: 60_000,
        }),
      ),
    );
    const winners = claims.filter((c) => c !== null);
    expect(winners).toHaveLength(1);
    const row = await env.DB.prepare("SELECT lease_owner, state FROM mappings WHERE source = ?")
      .bind(s.id)
      .first();
    expect(row).toEqual({ lease_owner: winners[0]!.leaseOwner, state: "ingesting" });
  });

  it("failed and missing rows are claimable only after their window, unless forced; ready never", async () => {
    const { claimIngestLease } = await import("../../src/db/ingest");
    const { getDb } = await import("../../src/db/client");
    const s = await createSource({ kind: "imgix" });
    const iso = new Date().toISOString();
    const now = Date.now();
    const insert = env.DB.prepare(
      "INSERT INTO mappings (source, key, state, image_id, retry_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    await env.DB.batch([
      insert.bind(s.id, "failed-open", "failed", null, now + 60_000, iso, iso),
      insert.bind(s.id, "failed-over", "failed", null, now - 1, iso, iso),
      insert.bind(s.id, "missing-open", "missing", null, now + 60_000, iso, iso),
      insert.bind(s.id, "ready", "ready", "img", null, iso, iso),
      insert.bind(s.id, "orphaned", "orphaned", "img", null, iso, iso),
    ]);
    const claim = (key: string, force = false) =>
      claimIngestLease(getDb(env, "primary"), {
        source: s.id,
        key,
        originUrl: null,
        owner: `w-${key}-${force}`,
        now,
        leaseMs: 1000,
        force,
      });
    expect(await claim("failed-open")).toBeNull();
    expect(await claim("failed-over")).not.toBeNull();
    expect(await claim("missing-open")).toBeNull();
    expect(await claim("missing-open", true)).not.toBeNull();
    expect(await claim("ready", true)).toBeNull();
    expect(await claim("orphaned")).not.toBeNull();
  });
});
