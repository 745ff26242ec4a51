import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createSource, expectError, expectTemporaryOrigin, fetchWith, gateway } from "../helpers";
import { delay, gate, serveOrigin, sizedBody, stallingBody } from "../origin";
import { idOf, imageBytes, imageResponse, imagesOfSource, mappingOf } from "./helpers";

const setRetryAt = (source: string, key: string, at: number) =>
  env.DB.prepare("UPDATE mappings SET retry_at = ? WHERE source = ? AND key = ?").bind(at, source, key).run();

describe("lazy ingestion: origin 404/410", () => {
  it.each([404, 410])(
    "origin %i → missing, answered 404 for the negative TTL without refetching",
    async (status) => {
      const origin = serveOrigin(`gone${status}.origin.test`, () => new Response("nope", { status }));
      const s = await createSource({ kind: "imgix", origin: `https://gone${status}.origin.test` });
      const before = Date.now();
      const res = await gateway(`https://${s.host}/gone.jpg?w=10`);
      await expectError(res, 404, 2005);
      const m = await mappingOf(s.id, "gone.jpg");
      expect(m).toMatchObject({ state: "missing", imageId: null, lastError: `origin answered ${status}` });
      expect(Date.parse(m.retryAt) - before).toBeGreaterThanOrEqual(3600_000 - 1000);
      // Within the window: 404 from the mapping (or its cache), no new fetch.
      expect((await gateway(`https://${s.host}/gone.jpg?w=20`)).status).toBe(404);
      expect(origin.hits()).toBe(1);
      // After the window the original is asked for again.
      await setRetryAt(s.id, "gone.jpg", Date.now() - 1);
      const later = await fetchWith(`https://${s.host}/gone.jpg?w=30`, { LOOKUP_CACHE_TTL: "0" });
      expect(later.res.status).toBe(404);
      expect(origin.hits()).toBe(2);
    },
  );

  it("honours a configurable negative TTL", async () => {
    serveOrigin("ttl.origin.test", () => new Response(null, { status: 404 }));
    const s = await createSource({ kind: "imgix", origin: "https://ttl.origin.test" });
    const before = Date.now();
    await fetchWith(`https://${s.host}/a.jpg`, { NEGATIVE_TTL: "120" });
    const m = await mappingOf(s.id, "a.jpg");
    expect(Date.parse(m.retryAt) - before).toBeLessThan(125_000);
    expect(Date.parse(m.retryAt) - before).toBeGreaterThanOrEqual(119_000);
  });
});

describe("lazy ingestion: failures", () => {
  it("origin 5xx → failed with the reason; temporary origin redirects until the backoff ends, then a retry", async () => {
    let status = 503;
    const origin = serveOrigin("flaky.origin.test", () =>
      status === 200 ? imageResponse(imageBytes("png")) : new Response("down", { status }),
    );
    const s = await createSource({ kind: "imgix", origin: "https://flaky.origin.test" });
    const url = `https://${s.host}/flaky.png?w=100`;
    expectTemporaryOrigin(await gateway(url), "https://flaky.origin.test/flaky.png");
    const first = await mappingOf(s.id, "flaky.png");
    expect(first).toMatchObject({ state: "failed", attempts: 1, lastError: "origin answered 503" });
    const backoff1 = Date.parse(first.retryAt) - Date.parse(first.updatedAt);
    expect(backoff1).toBeGreaterThanOrEqual(29_000);
    expect(backoff1).toBeLessThanOrEqual(31_000);

    expectTemporaryOrigin(await gateway(url), "https://flaky.origin.test/flaky.png");
    expect(origin.hits()).toBe(1);

    // Backoff over, still failing: the next window is twice as long.
    await setRetryAt(s.id, "flaky.png", Date.now() - 1);
    expectTemporaryOrigin(await gateway(url), "https://flaky.origin.test/flaky.png");
    const second = await mappingOf(s.id, "flaky.png");
    expect(second.attempts).toBe(2);
    const backoff2 = Date.parse(second.retryAt) - Date.parse(second.updatedAt);
    expect(backoff2).toBeGreaterThanOrEqual(59_000);
    expect(backoff2).toBeLessThanOrEqual(61_000);

    // The origin recovers: the next attempt after the window succeeds.
    status = 200;
    await setRetryAt(s.id, "flaky.png", Date.now() - 1);
    expect((await gateway(url)).status).toBe(301);
    expect(await mappingOf(s.id, "flaky.png")).toMatchObject({
      state: "ready",
      attempts: 3,
      lastError: null,
    });
    expect(origin.hits()).toBe(3);
  });

  it("other origin statuses (403) fail and keep the status in lastError", async () => {
    serveOrigin("forbidden.origin.test", () => new Response("denied", { status: 403 }));
    const s = await createSource({ kind: "imgix", origin: "https://forbidden.origin.test" });
    expectTemporaryOrigin(await gateway(`https://${s.host}/f.png`), "https://forbidden.origin.test/f.png");
    expect(await mappingOf(s.id, "f.png")).toMatchObject({
      state: "failed",
      lastError: "origin answered 403",
    });
  });

  it("refuses an HTML error page and a JSON body served with 200; nothing is uploaded", async () => {
    const bodies: Record<string, [string, string]> = {
      "page.jpg": ["<!DOCTYPE html><html><body>Oops</body></html>", "text/html"],
      "api.jpg": ['{"error":"not found"}', "application/json"],
      "xml.jpg": ['<?xml version="1.0"?><rss></rss>', "image/svg+xml"],
      "empty.jpg": ["", "image/jpeg"],
    };
    serveOrigin("html.origin.test", (req) => {
      const [body, type] = bodies[new URL(req.url).pathname.slice(1)]!;
      return new Response(body, { headers: { "content-type": type } });
    });
    const s = await createSource({ kind: "imgix", origin: "https://html.origin.test" });
    for (const key of Object.keys(bodies)) {
      expectTemporaryOrigin(await gateway(`https://${s.host}/${key}`), `https://html.origin.test/${key}`);
      expect(await mappingOf(s.id, key), key).toMatchObject({
        state: "failed",
        lastError: expect.stringMatching(/not an image/),
      });
    }
    expect(await imagesOfSource(s.id)).toHaveLength(0);
    expect(await env.IMAGES.hosted.image((await idOf(s.id, "page.jpg"))!).details()).toBeNull();
  });

  it("refuses an original over 10 MiB by Content-Length, without reading it", async () => {
    let pulled = 0;
    serveOrigin("huge.origin.test", () => {
      const body = new ReadableStream({
        pull(c) {
          pulled++;
          c.enqueue(new Uint8Array(1024));
        },
      });
      return new Response(body, { headers: { "content-length": String(10 * 1024 * 1024 + 1) } });
    });
    const s = await createSource({ kind: "imgix", origin: "https://huge.origin.test" });
    expectTemporaryOrigin(await gateway(`https://${s.host}/huge.jpg`), "https://huge.origin.test/huge.jpg");
    expect(await mappingOf(s.id, "huge.jpg")).toMatchObject({
      state: "failed",
      lastError: expect.stringMatching(/more than 10485760/),
    });
    expect(pulled).toBeLessThan(4);
  });

  it("refuses an original that streams past 10 MiB without a Content-Length; nothing is kept", async () => {
    serveOrigin(
      "stream.origin.test",
      () => new Response(sizedBody(imageBytes("jpeg"), 10 * 1024 * 1024 + 1)),
    );
    const s = await createSource({ kind: "imgix", origin: "https://stream.origin.test" });
    expectTemporaryOrigin(await gateway(`https://${s.host}/big.jpg`), "https://stream.origin.test/big.jpg");
    expect(await mappingOf(s.id, "big.jpg")).toMatchObject({
      state: "failed",
      lastError: expect.stringMatching(/larger than 10485760/),
    });
    expect(await env.IMAGES.hosted.image((await idOf(s.id, "big.jpg"))!).details()).toBeNull();
  });

  it("accepts an original of exactly 10 MiB", async () => {
    serveOrigin("exact.origin.test", () => new Response(sizedBody(imageBytes("jpeg"), 10 * 1024 * 1024)));
    const s = await createSource({ kind: "imgix", origin: "https://exact.origin.test" });
    expect((await gateway(`https://${s.host}/exact.jpg`)).status).toBe(301);
  });

  it("times out an origin that does not answer, and one that stalls mid-body", async () => {
    serveOrigin("slow.origin.test", async (req, signal) => {
      if (req.url.endsWith("/silent.png")) {
        await delay(60_000, signal);
        return imageResponse(imageBytes("png"));
      }
      return new Response(stallingBody([imageBytes("png", 1000)], signal));
    });
    const s = await createSource({ kind: "imgix", origin: "https://slow.origin.test" });
    const vars = { INGEST_TIMEOUT_MS: "150", INGEST_WAIT_BUDGET_MS: "5000" };
    for (const key of ["silent.png", "stall.png"]) {
      const { res } = await fetchWith(`https://${s.host}/${key}`, vars);
      expectTemporaryOrigin(res, `https://slow.origin.test/${key}`);
      expect(await mappingOf(s.id, key), key).toMatchObject({
        state: "failed",
        lastError: "the origin did not deliver the original in time",
      });
    }
  });

  it("records an upload error thrown by the Images binding as failed", async () => {
    serveOrigin("upload.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://upload.origin.test" });
    const hosted = env.IMAGES.hosted;
    const failing = {
      hosted: {
        image: (id: string) => hosted.image(id),
        list: (o?: ImageListOptions) => hosted.list(o),
        upload: async (body: ReadableStream) => {
          await body.cancel();
          throw Object.assign(
            new Error("IMAGES_UPLOAD_ERROR 5455: Uploaded image must have image/jpeg, image/png…"),
            { code: 5455 },
          );
        },
      },
    };
    const { res } = await fetchWith(`https://${s.host}/u.png`, { IMAGES: failing });
    expectTemporaryOrigin(res, "https://upload.origin.test/u.png");
    const m = await mappingOf(s.id, "u.png");
    expect(m).toMatchObject({
      state: "failed",
      lastError: expect.stringMatching(/^the upload to Images failed: Images refused it \(code 5455\)/),
    });
  });

  it("never follows a redirect off the origin's host", async () => {
    const origin = serveOrigin("redir.origin.test", (req) =>
      req.url.endsWith("/new/moved.png")
        ? imageResponse(imageBytes("png"))
        : req.url.endsWith("/moved.png")
          ? Response.redirect("https://redir.origin.test/new/moved.png", 301)
          : Response.redirect("https://attacker.test/steal.png", 302),
    );
    const s = await createSource({ kind: "imgix", origin: "https://redir.origin.test" });
    expect((await gateway(`https://${s.host}/moved.png`)).status).toBe(301);
    expectTemporaryOrigin(await gateway(`https://${s.host}/away.png`), "https://redir.origin.test/away.png");
    expect(await mappingOf(s.id, "away.png")).toMatchObject({
      state: "failed",
      lastError: expect.stringMatching(/attacker\.test: not the source's origin/),
    });
    expect(origin.hits()).toBe(3);
  });
});

describe("lazy ingestion: wait budget", () => {
  it("an ingest slower than the budget finishes in waitUntil while the request gets the origin", async () => {
    // The origin answers only when the test opens the gate, so the ingest outlasts any budget.
    const slow = gate();
    const origin = serveOrigin("budget.origin.test", async (_req, signal) => {
      await slow.pass(signal);
      return imageResponse(imageBytes("png"));
    });
    const s = await createSource({ kind: "imgix", origin: "https://budget.origin.test" });
    // The answer arrives while the origin is still stalled: the request did not wait for the ingest.
    const { res, settled } = await fetchWith(`https://${s.host}/slow.png`, { INGEST_WAIT_BUDGET_MS: "50" });
    let leftInWaitUntil = true;
    void settled.then(() => (leftInWaitUntil = false));
    expectTemporaryOrigin(res, "https://budget.origin.test/slow.png");
    expect(origin.hits()).toBe(1);
    expect((await mappingOf(s.id, "slow.png")).state).toBe("ingesting");
    // The ingest was handed to waitUntil: the request's work is not done while the origin stalls
    // (a whole admin request has run meanwhile), and it completes once the origin answers.
    expect(leftInWaitUntil).toBe(true);
    slow.open();
    await settled;
    expect(await mappingOf(s.id, "slow.png")).toMatchObject({
      state: "ready",
      imageId: await idOf(s.id, "slow.png"),
    });
    expect((await gateway(`https://${s.host}/slow.png`)).status).toBe(301);
    expect(origin.hits()).toBe(1);
  });
});
