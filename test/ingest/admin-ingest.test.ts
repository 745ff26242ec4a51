import { describe, expect, it } from "vitest";
import { admin, createSource, expectTemporaryOrigin, fetchWith, READ_TOKEN } from "../helpers";
import { gate, serveOrigin } from "../origin";
import { idOf, imageBytes, imageResponse } from "./helpers";

describe("POST /_admin/ingest", () => {
  it("ingests each URL now and reports per URL", async () => {
    const origin = serveOrigin("bulk.origin.test", (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/gone.png") return new Response(null, { status: 404 });
      if (path === "/broken.png") return new Response("<html>", { headers: { "content-type": "text/html" } });
      return imageResponse(imageBytes("png"));
    });
    const s = await createSource({ kind: "imgix", origin: "https://bulk.origin.test" });
    const other = await createSource({ kind: "imgix" });
    const base = `https://${s.host}`;
    const urls = [
      `${base}/a.png?w=100`,
      `${base}/b.png`,
      `${base}/gone.png`,
      `${base}/broken.png`,
      `${base}/a.png?w=200`,
      "https://no-source.invalid/x.png",
      `https://${other.host}/y.png`,
    ];
    // One URL at a time, in order, so that each entry has one right status: the first a.png URL
    // ingests the asset and the later one finds it mapped.
    const res = await admin("POST", "/ingest", { urls }, { vars: { INGEST_CONCURRENCY: "1" } });
    expect(res.status).toBe(200);
    const byUrl = Object.fromEntries(res.body.result.map((r: any) => [r.url, r]));
    const a = { state: "ready", imageId: await idOf(s.id, "a.png") };
    expect(byUrl[urls[0]!]).toMatchObject({ source: s.id, key: "a.png", status: "ingested", mapping: a });
    expect(byUrl[urls[4]!]).toMatchObject({
      source: s.id,
      key: "a.png",
      status: "already-mapped",
      mapping: a,
    });
    expect(byUrl[urls[1]!]).toMatchObject({ status: "ingested", mapping: { state: "ready" } });
    expect(byUrl[urls[2]!]).toMatchObject({ status: "missing", error: { code: 2005 } });
    expect(byUrl[urls[3]!]).toMatchObject({
      status: "failed",
      error: { code: 4002 },
      mapping: { state: "failed" },
    });
    expect(byUrl[urls[5]!]).toMatchObject({ status: "invalid", source: null, error: { code: 1004 } });
    expect(byUrl[urls[6]!]).toMatchObject({ status: "invalid", error: { code: 4005 } });
    // a.png was asked for twice: still one fetch.
    expect(origin.hits("/a.png")).toBe(1);
    expect(res.body.result.map((r: any) => r.url)).toEqual(urls);
    expect(res.body.result.map((r: any) => r.status)).toEqual([
      "ingested",
      "ingested",
      "missing",
      "failed",
      "already-mapped",
      "invalid",
      "invalid",
    ]);

    // Asking again: already mapped, nothing fetched; a failed one is retried at once (no backoff wait).
    const again = await admin("POST", "/ingest", { urls: [`${base}/b.png`, `${base}/broken.png`] });
    expect(again.body.result.map((r: any) => r.status)).toEqual(["already-mapped", "failed"]);
    expect(again.body.result[1].mapping.attempts).toBe(2);
    expect(origin.hits("/b.png")).toBe(1);
    expect(origin.hits("/broken.png")).toBe(2);
  });

  it("reports an asset whose first hit is still ingesting as in-progress, without fetching it again", async () => {
    const stalled = gate();
    const origin = serveOrigin("busy.origin.test", async (_req, signal) => {
      await stalled.pass(signal);
      return imageResponse(imageBytes("png"));
    });
    const s = await createSource({ kind: "imgix", origin: "https://busy.origin.test" });
    const url = `https://${s.host}/busy.png`;
    // A user's first hit takes the lease; its ingest waits at the origin past the wait budget.
    const firstHit = await fetchWith(url, { INGEST_WAIT_BUDGET_MS: "0" });
    expectTemporaryOrigin(firstHit.res, "https://busy.origin.test/busy.png");

    const busy = await admin("POST", "/ingest", { urls: [url] });
    expect(busy.body.result).toEqual([
      expect.objectContaining({
        url,
        key: "busy.png",
        status: "in-progress",
        mapping: expect.objectContaining({ state: "ingesting" }),
      }),
    ]);
    expect(origin.hits()).toBe(1);

    stalled.open();
    await firstHit.settled;
    const done = await admin("POST", "/ingest", { urls: [url] });
    expect(done.body.result).toEqual([
      expect.objectContaining({
        status: "already-mapped",
        mapping: expect.objectContaining({ state: "ready" }),
      }),
    ]);
    expect(origin.hits()).toBe(1);
  });

  it("validates the body: 1 to 100 URLs, and needs a write token", async () => {
    expect((await admin("POST", "/ingest", { urls: [] })).status).toBe(422);
    const tooMany = await admin("POST", "/ingest", {
      urls: Array.from({ length: 101 }, (_, i) => `https://x/${i}`),
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0]!.message).toMatch(/^urls:/);
    expect((await admin("POST", "/ingest", { urls: "https://x/a" })).status).toBe(422);
    expect((await admin("POST", "/ingest", { urls: ["https://x/a"] }, { token: READ_TOKEN })).status).toBe(
      403,
    );
  });
});
