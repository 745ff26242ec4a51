import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { claimIngestLease } from "../../src/db/ingest";
import { admin, createSource, expectError, mapKey, READ_TOKEN } from "../helpers";
import { serveOrigin } from "../origin";
import { imageBytes, imageResponse } from "../ingest/helpers";

/** A source whose origin answers with whatever `status()` says at the time of each request. */
async function flakySource(host: string, status: () => number) {
  const origin = serveOrigin(host, () =>
    status() === 200 ? imageResponse(imageBytes("png")) : new Response("down", { status: status() }),
  );
  const source = await createSource({ kind: "imgix", origin: `https://${host}` });
  return { origin, source, url: (path: string) => `https://${source.host}${path}` };
}

/** Ingests a URL through POST /_admin/ingest and returns its mapping as recorded. */
async function ingest(url: string) {
  const res = await admin("POST", "/ingest", { urls: [url] });
  return res.body.result[0].mapping as Record<string, any>;
}

describe("POST /_admin/mappings/:id/retry", () => {
  it("ingests a failed mapping now, ignoring its backoff, and answers the ready mapping", async () => {
    let status = 503;
    const { origin, url } = await flakySource("retry-ok.origin.test", () => status);
    const failed = await ingest(url("/a.png?w=10"));
    expect(failed).toMatchObject({ state: "failed", failureReason: "origin_5xx", attempts: 1 });
    expect(Date.parse(failed.retryAt)).toBeGreaterThan(Date.now()); // in backoff

    status = 200;
    const res = await admin("POST", `/mappings/${failed.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ id: failed.id, state: "ready", attempts: 2, lastError: null });
    expect(res.body.result.imageId).toBeTruthy();
    expect(origin.hits("/a.png")).toBe(2);
    // The redirect path now sends users to the image.
    const resolved = await admin("POST", "/resolve", { url: url("/a.png") });
    expect(resolved.body.result.action).toBe("redirect");
  });

  it("answers 200 with the mapping still failed, and the new error, when the origin still fails", async () => {
    let status = 503;
    const { url } = await flakySource("retry-fail.origin.test", () => status);
    const failed = await ingest(url("/b.png"));
    status = 500;
    const res = await admin("POST", `/mappings/${failed.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ state: "failed", attempts: 2, failureReason: "origin_5xx" });
    expect(res.body.result.lastError).toContain("500");
  });

  it("asks the origin again for a missing original, before its negative-cache window ends", async () => {
    let status = 404;
    const { origin, url } = await flakySource("retry-missing.origin.test", () => status);
    const missing = await ingest(url("/gone.png"));
    expect(missing.state).toBe("missing");
    status = 200;
    const res = await admin("POST", `/mappings/${missing.id}/retry`);
    expect(res.body.result.state).toBe("ready");
    expect(origin.hits("/gone.png")).toBe(2);
  });

  it("fetches from the source's current origin when the origin moved since the failure", async () => {
    const old = serveOrigin("retry-old.origin.test", () => new Response("gone away", { status: 502 }));
    const moved = serveOrigin("retry-new.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "http", origin: "https://retry-old.origin.test/files" });
    const failed = await ingest(`https://${s.host}/photos/x.png`);
    expect(failed.originUrl).toBe("https://retry-old.origin.test/files/photos/x.png");

    await admin("PATCH", `/sources/${s.id}`, { origin: "https://retry-new.origin.test/v2" });
    const res = await admin("POST", `/mappings/${failed.id}/retry`);
    expect(res.body.result.state).toBe("ready");
    expect(moved.requests.map((r) => r.url)).toEqual(["https://retry-new.origin.test/v2/photos/x.png"]);
    expect(old.hits()).toBe(1);
  });
});

describe("POST /_admin/mappings/:id/retry — what cannot be retried", () => {
  it("404 for an unknown or malformed id", async () => {
    await expectError(await admin("POST", "/mappings/999999999/retry"), 404, 3100);
    await expectError(await admin("POST", "/mappings/abc/retry"), 404, 3100);
  });

  it("409 for a ready mapping, and nothing is fetched", async () => {
    const origin = serveOrigin("retry-ready.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://retry-ready.origin.test" });
    const m = await mapKey(s.id, "done.png");
    const res = await admin("POST", `/mappings/${m.id}/retry`);
    expect((await expectError(res, 409, 7000)).message).toMatch(/ready/);
    expect(origin.hits()).toBe(0);
  });

  it("409 while another request holds the ingest lease, and nothing is fetched", async () => {
    const origin = serveOrigin("retry-busy.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://retry-busy.origin.test" });
    const claim = await claimIngestLease(getDb(env, "primary"), {
      source: s.id,
      key: "busy.png",
      originUrl: "https://retry-busy.origin.test/busy.png",
      owner: "someone-else",
      now: Date.now(),
      leaseMs: 60_000,
    });
    const res = await admin("POST", `/mappings/${claim!.id}/retry`);
    expect((await expectError(res, 409, 7000)).message).toMatch(/being ingested/);
    expect(origin.hits()).toBe(0);
  });

  it("422 no_origin when the source no longer has an origin", async () => {
    const { source, url } = await flakySource("retry-noorigin.origin.test", () => 503);
    const failed = await ingest(url("/c.png"));
    await admin("PATCH", `/sources/${source.id}`, { origin: null, onMiss: "not-found" });
    const res = await admin("POST", `/mappings/${failed.id}/retry`);
    await expectError(res, 422, 4005);
  });

  it("needs a write token", async () => {
    const { url } = await flakySource("retry-read.origin.test", () => 503);
    const failed = await ingest(url("/d.png"));
    const res = await admin("POST", `/mappings/${failed.id}/retry`, undefined, { token: READ_TOKEN });
    await expectError(res, 403, 1101);
    expect((await admin("GET", `/mappings/${failed.id}`)).body.result.attempts).toBe(1);
  });
});
