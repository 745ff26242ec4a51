import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { admin, createSource, fetchWith, gateway } from "../helpers";
import { serveOrigin } from "../origin";
import { mappingOf } from "../ingest/helpers";

const HOUR = 3600_000;

async function insertRow(source: string, key: string, state: string, retryAt: number | null) {
  const now = new Date().toISOString();
  await env.DB.prepare(
    `INSERT INTO mappings (source, key, state, retry_at, attempts, hits, created_at, updated_at, failure_reason)
     VALUES (?1, ?2, ?3, ?4, 1, 0, ?5, ?5, CASE WHEN ?3 = 'failed' THEN 'origin_5xx' END)`,
  )
    .bind(source, key, state, retryAt, now)
    .run();
}

describe("the upkeep cron deletes unmapped rows nobody asked for again", () => {
  it("missing rows past their negative TTL and failed rows past FAILED_RETENTION go; the rest stay", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://purge.origin.test" });
    const now = Date.now();
    await insertRow(s.id, "missing-old", "missing", now - 1000);
    await insertRow(s.id, "missing-live", "missing", now + HOUR);
    await insertRow(s.id, "failed-old", "failed", now - 25 * HOUR);
    await insertRow(s.id, "failed-recent", "failed", now - HOUR);
    await insertRow(s.id, "ingesting", "ingesting", null);
    await insertRow(s.id, "orphaned", "orphaned", null);
    // And more expired rows than one DELETE takes (500), so the task runs several bounded batches.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
       INSERT INTO mappings (source, key, state, retry_at, attempts, hits, created_at, updated_at)
       SELECT ?1, 'bulk-' || i, 'missing', ?2, 1, 0, ?3, ?3 FROM n`,
    )
      .bind(s.id, now - HOUR, new Date().toISOString())
      .run();

    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/5 * * * *" }), env);

    const { results } = await env.DB.prepare("SELECT key FROM mappings WHERE source = ? ORDER BY key")
      .bind(s.id)
      .all<{ key: string }>();
    expect(results.map((r) => r.key)).toEqual(["failed-recent", "ingesting", "missing-live", "orphaned"]);
    // The stats counters follow (triggers), failure history is kept.
    const stats = await admin("GET", "/stats");
    const mine = stats.body.result.sources.find((x: { source: string }) => x.source === s.id);
    expect(mine.mappings).toMatchObject({ missing: 1, failed: 1, total: 4 });
  });

  it("a purged asset asked for again is simply ingested again", async () => {
    const origin = serveOrigin("again.origin.test", () => new Response(null, { status: 404 }));
    const s = await createSource({ kind: "imgix", origin: "https://again.origin.test" });
    expect((await gateway(`https://${s.host}/gone.jpg`)).status).toBe(404);
    await env.DB.prepare("UPDATE mappings SET retry_at = ? WHERE source = ?")
      .bind(Date.now() - 1, s.id)
      .run();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);
    expect(await mappingOf(s.id, "gone.jpg")).toBeNull();
    const { res } = await fetchWith(`https://${s.host}/gone.jpg`, { LOOKUP_CACHE_TTL: "0" });
    expect(res.status).toBe(404);
    expect(origin.hits()).toBe(2);
  });
});

describe("lease claims are rate-limited per source (Workers Rate Limiting binding, simulated locally)", () => {
  it("a first hit past the limit gets the temporary origin redirect — never a 429 — and writes nothing", async () => {
    const origin = serveOrigin("limited.origin.test", () => new Response("x", { status: 500 }));
    const s = await createSource({ kind: "imgix", origin: "https://limited.origin.test" });
    let allowed = 0;
    for (let i = 0; i < 150; i++) if ((await env.INGEST_LIMITER.limit({ key: s.id })).success) allowed++;
    expect(allowed).toBe(100); // wrangler.toml: 100 claims a minute per source
    const res = await gateway(`https://${s.host}/new.jpg`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://limited.origin.test/new.jpg");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(origin.hits()).toBe(0);
    expect(await mappingOf(s.id, "new.jpg")).toBeNull();
  });
});
