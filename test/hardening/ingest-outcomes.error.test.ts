import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createSource, gateway, fetchWith } from "../helpers";
import { serveOrigin } from "../origin";
import { d1Error, faultyD1 } from "../faults";
import { imageBytes, imageResponse, imagesOfSource, mappingOf } from "../ingest/helpers";

/** SPEC: every ingest ends in a recorded outcome; one bad item never fails its batch. */
describe("every ingest ends in a recorded outcome", () => {
  it("an origin Location that is not a URL (`http://a b/`) → failed `bad_redirect`, never stuck `ingesting`", async () => {
    serveOrigin(
      "badloc.origin.test",
      () => new Response(null, { status: 302, headers: { location: "http://a b/" } }),
    );
    const s = await createSource({ kind: "imgix", origin: "https://badloc.origin.test" });
    const res = await gateway(`https://${s.host}/a.jpg`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://badloc.origin.test/a.jpg");
    expect(await mappingOf(s.id, "a.jpg")).toMatchObject({ state: "failed", failureReason: "bad_redirect" });
  });

  it("more than 3 origin redirects → failed `too_many_redirects` (not origin_4xx)", async () => {
    const origin = serveOrigin("loop.origin.test", (req) => {
      const n = Number(new URL(req.url).searchParams.get("n") ?? 0);
      return new Response(null, { status: 301, headers: { location: `/a.jpg?n=${n + 1}` } });
    });
    const s = await createSource({ kind: "imgix", origin: "https://loop.origin.test" });
    expect((await gateway(`https://${s.host}/a.jpg`)).status).toBe(302);
    expect(await mappingOf(s.id, "a.jpg")).toMatchObject({
      state: "failed",
      failureReason: "too_many_redirects",
    });
    expect(origin.hits()).toBe(4);
  });

  it("POST /_admin/ingest reports a bad item as failed and ingests the others", async () => {
    serveOrigin("mixed.origin.test", (req) =>
      new URL(req.url).pathname === "/bad.jpg"
        ? new Response(null, { status: 302, headers: { location: "http://a b/" } })
        : imageResponse(imageBytes("png")),
    );
    const s = await createSource({ kind: "imgix", origin: "https://mixed.origin.test" });
    const res = await admin("POST", "/ingest", {
      urls: [`https://${s.host}/bad.jpg`, `https://${s.host}/good.jpg`],
    });
    expect(res.status).toBe(200);
    expect(res.body.result.map((r: { status: string }) => r.status)).toEqual(["failed", "ingested"]);
    expect(res.body.result[0].error.code).toBe(4000);
    expect((await mappingOf(s.id, "bad.jpg")).state).toBe("failed");
  });

  it("D1 failing the `ready` write → failed `storage_error`; the retry reuses the uploaded image", async () => {
    const origin = serveOrigin("d1ready.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://d1ready.origin.test" });
    let failures = 0;
    const DB = faultyD1(env.DB, {
      before: ({ sql, params }) => {
        if (failures === 0 && /^update "mappings"/i.test(sql) && params.includes("ready")) {
          failures++;
          throw d1Error();
        }
      },
    });
    const first = await fetchWith(`https://${s.host}/r.jpg`, { DB });
    await first.settled;
    expect(first.res.status).toBe(302);
    expect(await mappingOf(s.id, "r.jpg")).toMatchObject({ state: "failed", failureReason: "storage_error" });
    const retry = await admin("POST", "/ingest", { urls: [`https://${s.host}/r.jpg`] });
    expect(retry.body.result[0].status).toBe("reused");
    expect(origin.hits()).toBe(1);
    expect(await imagesOfSource(s.id)).toHaveLength(1);
  });

  it("POST /_admin/ingest: D1 failing one item's lease claim fails that item only", async () => {
    serveOrigin("claim.origin.test", () => imageResponse(imageBytes("png")));
    const s = await createSource({ kind: "imgix", origin: "https://claim.origin.test" });
    const DB = faultyD1(env.DB, {
      before: ({ sql, params }) => {
        if (/^insert into "mappings"/i.test(sql) && params.includes("one.jpg")) throw d1Error();
      },
    });
    const { res } = await fetchWith(
      `http://gw.test/_admin/ingest`,
      { DB },
      {
        method: "POST",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({ urls: [`https://${s.host}/one.jpg`, `https://${s.host}/two.jpg`] }),
      },
    );
    expect(res.status).toBe(200);
    const result = ((await res.json()) as { result: { status: string; error?: { code: number } }[] }).result;
    expect(result.map((r) => r.status)).toEqual(["failed", "ingested"]);
    expect(result[0]!.error!.code).toBe(1200);
  });
});
