import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countHit, flushHits } from "../../src/redirect/hits";
import { createSource } from "../helpers";
import { d1Error, faultyD1 } from "../faults";

describe("hit-count flush", () => {
  it("a failing later chunk writes nothing, so the counts put back are never counted twice", async () => {
    const s = await createSource({ kind: "imgix" });
    const now = new Date().toISOString();
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
       INSERT INTO mappings (source, key, image_id, state, attempts, hits, created_at, updated_at)
       SELECT ?1, 'k' || i, 'img' || i, 'ready', 0, 0, ?2, ?2 FROM n`,
    )
      .bind(s.id, now)
      .run();
    const { results } = await env.DB.prepare("SELECT id FROM mappings WHERE source = ?")
      .bind(s.id)
      .all<{ id: number }>();
    for (const { id } of results) countHit(id, Date.now());

    let updates = 0;
    const DB = faultyD1(env.DB, {
      before: ({ sql }) => {
        if (/UPDATE mappings\s+SET hits/i.test(sql) && ++updates === 2) throw d1Error();
      },
    });
    await flushHits({ ...env, DB } as Env);
    await flushHits(env);
    const counts = await env.DB.prepare(
      "SELECT hits, count(*) AS n FROM mappings WHERE source = ? GROUP BY hits",
    )
      .bind(s.id)
      .all<{ hits: number; n: number }>();
    expect(counts.results).toEqual([{ hits: 1, n: 1500 }]);
  });
});
