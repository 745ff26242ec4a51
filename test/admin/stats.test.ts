import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createSource, fetchWith, gateway, mapKey, READ_TOKEN } from "../helpers";
import { serveOrigin } from "../origin";
import { imageBytes, imageResponse } from "../ingest/helpers";

async function statsOf(source: string) {
  const res = await admin("GET", "/stats", undefined, { token: READ_TOKEN });
  expect(res.status).toBe(200);
  return {
    one: res.body.result.sources.find((s: { source: string }) => s.source === source),
    all: res.body.result,
  };
}

describe("GET /_admin/stats", () => {
  it("counts mappings by state, hits, bytes ingested and failures by reason for a source", async () => {
    const png = imageBytes("png", 3000);
    serveOrigin("stats.origin.test", (req) => {
      const path = new URL(req.url).pathname;
      if (path.startsWith("/gone")) return new Response(null, { status: 404 });
      if (path.startsWith("/down")) return new Response("x", { status: 502 });
      if (path.startsWith("/html")) return new Response("<html></html>");
      return imageResponse(png);
    });
    const s = await createSource({ kind: "imgix", origin: "https://stats.origin.test" });
    const fresh = await statsOf(s.id);
    expect(fresh.one).toEqual({
      source: s.id,
      mappings: { ready: 0, ingesting: 0, failed: 0, missing: 0, orphaned: 0, total: 0 },
      hits: 0,
      bytesIngested: 0,
      failures: {},
      refreshes: { unchanged: 0, changed: 0, gone: 0, failed: 0 },
    });

    await mapKey(s.id, "mapped.png");
    for (const path of ["/a.png", "/b.png", "/gone.png", "/down1.png", "/down2.png", "/html.png"]) {
      await gateway(`https://${s.host}${path}`);
    }

    const { one } = await statsOf(s.id);
    expect(one.mappings).toEqual({ ready: 3, ingesting: 0, failed: 3, missing: 1, orphaned: 0, total: 7 });
    expect(one.bytesIngested).toBe(2 * png.byteLength);
    expect(one.failures).toEqual({ origin_5xx: 2, not_an_image: 1 });

    // A retry that fails again counts as another failure; deleting a mapping takes it out.
    await env.DB.prepare("UPDATE mappings SET retry_at = 0 WHERE source = ? AND key = 'down1.png'")
      .bind(s.id)
      .run();
    await gateway(`https://${s.host}/down1.png`);
    const m = (await admin("GET", `/mappings?source=${s.id}&prefix=a.png`)).body.result[0];
    await admin("DELETE", `/mappings/${m.id}`);
    const after = (await statsOf(s.id)).one;
    expect(after.failures.origin_5xx).toBe(3);
    expect(after.mappings).toMatchObject({ ready: 2, failed: 3, total: 6 });
    expect(after.bytesIngested).toBe(png.byteLength);
  });

  it("counts every redirect of a mapped asset as a hit, once its isolate flushes", async () => {
    // A source of its own, with one mapped asset, so that only these three requests can count.
    const s = await createSource({ kind: "imgix" });
    const mapped = await mapKey(s.id, "mapped.png");
    for (let i = 0; i < 3; i++) {
      // Different URLs of one asset; the last request's flush is due at once and writes all three.
      const hit = await fetchWith(`https://${s.host}/mapped.png?w=${i + 1}`, {
        HIT_FLUSH_INTERVAL: i === 2 ? "0" : "3600",
      });
      expect(hit.res.status).toBe(301);
      await hit.settled;
    }
    const { one } = await statsOf(s.id);
    expect(one).toMatchObject({ mappings: { ready: 1, total: 1 }, hits: 3 });
    expect((await admin("GET", `/mappings/${mapped.id}`)).body.result.hits).toBe(3);
  });

  it("totals add up over sources, and a deleted source leaves the stats", async () => {
    const a = await createSource({ kind: "imgix" });
    const b = await createSource({ kind: "imgix" });
    await mapKey(a.id, "1.jpg");
    await mapKey(b.id, "1.jpg");
    await mapKey(b.id, "2.jpg");
    const { all } = await statsOf(a.id);
    const sum = (f: (s: any) => number) => all.sources.reduce((n: number, s: any) => n + f(s), 0);
    expect(all.totals.mappings.total).toBe(sum((s) => s.mappings.total));
    expect(all.totals.mappings.ready).toBe(sum((s) => s.mappings.ready));
    expect(all.totals.hits).toBe(sum((s) => s.hits));
    expect((await statsOf(b.id)).one.mappings.total).toBe(2);
    await admin("DELETE", `/sources/${b.id}?cascade=true`);
    expect((await statsOf(b.id)).one).toBeUndefined();
    const row = await env.DB.prepare("SELECT count(*) AS n FROM source_stats WHERE source = ?")
      .bind(b.id)
      .first("n");
    expect(row).toBe(0);
  });

  it("reads counters, not the mappings: the counters agree with a full count after many changes", async () => {
    const s = await createSource({ kind: "imgix" });
    const body = ["source,key,imageId", ...Array.from({ length: 500 }, (_, i) => `${s.id},k${i},img`)].join(
      "\n",
    );
    await admin("POST", "/mappings/import?mode=insert", undefined, {
      raw: body,
      headers: { "content-type": "text/csv" },
    });
    await admin("POST", "/mappings/import?mode=upsert", undefined, {
      raw: body,
      headers: { "content-type": "text/csv" },
    });
    await env.DB.prepare(
      "UPDATE mappings SET state = 'missing', retry_at = 1 WHERE source = ? AND key LIKE 'k1%'",
    )
      .bind(s.id)
      .run();
    await env.DB.prepare("DELETE FROM mappings WHERE source = ? AND key LIKE 'k2%'").bind(s.id).run();
    const truth = await env.DB.prepare(
      "SELECT sum(state = 'ready') AS ready, sum(state = 'missing') AS missing, count(*) AS total FROM mappings WHERE source = ?",
    )
      .bind(s.id)
      .first();
    const { one } = await statsOf(s.id);
    expect(one.mappings).toMatchObject(truth!);
  });
});
