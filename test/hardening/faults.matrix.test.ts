import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createSource, gateway, mapKey, uploadImage, fetchWith } from "../helpers";
import { d1Error, faultyD1, faultyImages } from "../faults";
import { delay, serveOrigin, sizedBody, stallingBody } from "../origin";
import { imageBytes, imageResponse, imagesOfSource, mappingOf } from "../ingest/helpers";

/**
 * The fault matrix (issue 8): faults injected at the boundary — D1 and the Images binding wrapped
 * (test/faults.ts), origins the tests own. After each: the answer is the one SPEC names, no lease is
 * left `ingesting`, no mapping is `ready` without its image, nothing is uploaded twice.
 */
async function invariants(source: string, key: string, maxImages = 1) {
  const m = await mappingOf(source, key);
  if (m) {
    expect(m.state, `${key}: lease left behind`).not.toBe("ingesting");
    if (m.state === "ready")
      expect(
        await env.IMAGES.hosted.image(m.imageId).details(),
        `${key}: ready without image`,
      ).not.toBeNull();
  }
  expect((await imagesOfSource(source)).length, `${key}: uploads`).toBeLessThanOrEqual(maxImages);
  return m;
}

const temporaryOrigin = (res: Response, location: string) => {
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe(location);
  expect(res.headers.get("cache-control")).toBe("no-store");
};

const onSql = (pattern: RegExp, fault: () => Promise<void> | void) =>
  faultyD1(env.DB, { before: ({ sql }) => (pattern.test(sql) ? fault() : undefined) });

describe("fault matrix: D1", () => {
  it("throwing on the redirect lookup → 302 to the origin when there is one, else 503", async () => {
    const withOrigin = await createSource({ kind: "imgix", origin: "https://d1down.origin.test" });
    const without = await createSource({ kind: "imgix" });
    const DB = onSql(/from "mappings"/i, () => {
      throw d1Error();
    });
    const a = await fetchWith(`https://${withOrigin.host}/x.jpg`, { DB, LOOKUP_CACHE_TTL: "0" });
    temporaryOrigin(a.res, "https://d1down.origin.test/x.jpg");
    const b = await fetchWith(`https://${without.host}/x.jpg`, { DB, LOOKUP_CACHE_TTL: "0" });
    expect(b.res.status).toBe(503);
    expect(((await b.res.json()) as any).errors[0].code).toBe(1200);
  });

  it("slow on the redirect lookup → the same redirect, only later", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "slow.jpg");
    const DB = onSql(/from "mappings"/i, () => delay(300));
    const { res } = await fetchWith(`https://${s.host}/slow.jpg`, { DB, LOOKUP_CACHE_TTL: "0" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toContain(m.imageId);
  });

  it("throwing on the lease claim → 302 to the origin, nothing fetched, no row", async () => {
    const origin = serveOrigin("claimfail.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://claimfail.origin.test" });
    const DB = onSql(/^insert into "mappings"/i, () => {
      throw d1Error();
    });
    const { res, settled } = await fetchWith(`https://${s.host}/c.jpg`, { DB });
    await settled;
    temporaryOrigin(res, "https://claimfail.origin.test/c.jpg");
    expect(origin.hits()).toBe(0);
    expect(await invariants(s.id, "c.jpg", 0)).toBeNull();
  });

  it("throwing on the `missing` write after an origin 404 → failed `storage_error`, not stuck", async () => {
    serveOrigin("missfail.origin.test", () => new Response(null, { status: 404 }));
    const s = await createSource({ kind: "imgix", origin: "https://missfail.origin.test" });
    let once = 0;
    const DB = faultyD1(env.DB, {
      before: ({ sql, params }) => {
        if (/^update "mappings"/i.test(sql) && params.includes("missing") && once++ === 0) throw d1Error();
      },
    });
    const { res, settled } = await fetchWith(`https://${s.host}/m.jpg`, { DB });
    await settled;
    temporaryOrigin(res, "https://missfail.origin.test/m.jpg");
    expect(await invariants(s.id, "m.jpg", 0)).toMatchObject({
      state: "failed",
      failureReason: "storage_error",
    });
  });

  it("slow during an ingest (every statement 100 ms late) → still exactly one upload and `ready`", async () => {
    const origin = serveOrigin("d1slow.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://d1slow.origin.test" });
    const DB = faultyD1(env.DB, { before: () => delay(100) });
    const { res, settled } = await fetchWith(`https://${s.host}/s.jpg`, {
      DB,
      INGEST_WAIT_BUDGET_MS: "10000",
    });
    await settled;
    expect(res.status).toBe(301);
    expect(origin.hits()).toBe(1);
    expect(await invariants(s.id, "s.jpg")).toMatchObject({ state: "ready" });
  });
});

describe("fault matrix: Images", () => {
  const imagesFailing = (op: string) =>
    faultyImages(env.IMAGES, {
      before: (o) => {
        if (o === op) throw new Error(`simulated Images ${op} failure`);
      },
    });

  it.each(["upload", "details"])(
    "`%s` throwing during an ingest → failed `upload_error`, no upload kept",
    async (op) => {
      const host = `img${op}.origin.test`;
      serveOrigin(host, () => imageResponse(imageBytes("png")));
      const s = await createSource({ kind: "imgix", origin: `https://${host}` });
      const { res, settled } = await fetchWith(`https://${s.host}/i.jpg`, { IMAGES: imagesFailing(op) });
      await settled;
      temporaryOrigin(res, `https://${host}/i.jpg`);
      expect(await invariants(s.id, "i.jpg", 0)).toMatchObject({
        state: "failed",
        failureReason: "upload_error",
      });
    },
  );

  it("`delete` throwing → 503; the image stays and its mappings are not redirected to it (orphaned)", async () => {
    const s = await createSource({ kind: "imgix" });
    const id = await uploadImage(`fault-delete-${s.id}`);
    await mapKey(s.id, "d.jpg", id);
    const { res } = await fetchWith(
      `http://gw.test/_admin/images/v1/${id}`,
      { IMAGES: imagesFailing("delete") },
      {
        method: "DELETE",
        headers: { authorization: "Bearer test-admin-token" },
      },
    );
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(body.errors[0].code).toBe(1201);
    expect(await env.IMAGES.hosted.image(id).details()).not.toBeNull();
    expect((await mappingOf(s.id, "d.jpg")).state).toBe("orphaned");
  });
});

describe("fault matrix: origins", () => {
  const cases: [name: string, handler: Parameters<typeof serveOrigin>[1], reason: string][] = [
    [
      "reset mid-stream",
      () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(imageBytes("png", 4096));
              c.error(new Error("connection reset"));
            },
          }),
        ),
      "upload_error",
    ],
    [
      "slow trickle past the timeout",
      (_r, signal) => new Response(stallingBody([imageBytes("png", 512)], signal)),
      "timeout",
    ],
    [
      "200 with HTML",
      () =>
        new Response("<!doctype html><title>Not found</title>", { headers: { "content-type": "text/html" } }),
      "not_an_image",
    ],
    [
      "redirect loop",
      (req) => new Response(null, { status: 302, headers: { location: new URL(req.url).pathname } }),
      "too_many_redirects",
    ],
    [
      "redirect to another host",
      () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/x.png" } }),
      "off_origin",
    ],
  ];

  it.each(cases)(
    "%s → failed with its reason, 302 to the origin, nothing stuck",
    async (name, handler, reason) => {
      const host = `${name.replace(/[^a-z]+/g, "-")}.origin.test`;
      serveOrigin(host, handler);
      const s = await createSource({ kind: "imgix", origin: `https://${host}` });
      const { res, settled } = await fetchWith(`https://${s.host}/o.png`, {
        INGEST_TIMEOUT_MS: "300",
        INGEST_WAIT_BUDGET_MS: "5000",
      });
      await settled;
      temporaryOrigin(res, `https://${host}/o.png`);
      const m = await invariants(s.id, "o.png", 0);
      expect(m).toMatchObject({ state: "failed" });
      // A body that breaks mid-upload fails the upload (upload_error) or the read (network_error).
      expect(reason === "upload_error" ? ["upload_error", "network_error"] : [reason]).toContain(
        m.failureReason,
      );
    },
  );

  it("oversize without Content-Length → failed `too_large`, nothing kept", { timeout: 30_000 }, async () => {
    serveOrigin(
      "huge-nocl.origin.test",
      () => new Response(sizedBody(imageBytes("jpeg"), 10 * 1024 * 1024 + 1)),
    );
    const s = await createSource({ kind: "imgix", origin: "https://huge-nocl.origin.test" });
    const { res, settled } = await fetchWith(`https://${s.host}/big.jpg`, { INGEST_WAIT_BUDGET_MS: "20000" });
    await settled;
    temporaryOrigin(res, "https://huge-nocl.origin.test/big.jpg");
    expect(await invariants(s.id, "big.jpg", 0)).toMatchObject({
      state: "failed",
      failureReason: "too_large",
    });
  });

  it("after a fault the next attempt (once the backoff ends) ingests exactly once", async () => {
    let broken = true;
    const origin = serveOrigin("recover.origin.test", () =>
      broken ? new Response("down", { status: 502 }) : imageResponse(imageBytes("png")),
    );
    const s = await createSource({ kind: "imgix", origin: "https://recover.origin.test" });
    await gateway(`https://${s.host}/r.png`);
    broken = false;
    const retry = await admin("POST", "/ingest", { urls: [`https://${s.host}/r.png`] });
    expect(retry.body.result[0].status).toBe("ingested");
    expect(origin.hits()).toBe(2);
    expect(await invariants(s.id, "r.png")).toMatchObject({ state: "ready" });
  });
});
