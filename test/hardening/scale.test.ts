import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { type MappingFilter, listMappingsQuery } from "../../src/db/mappings";
import { expiredUnmappedDelete, expiredUnmappedQuery } from "../../src/db/upkeep";

/** SQLite's plan for a statement: one line per step, e.g. "SEARCH mappings USING INDEX …". */
async function plan(q: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = q.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** A full scan of the mappings table (or of one of its indexes) reads every row. */
const fullScan = (lines: string[]) => lines.filter((l) => /^SCAN mappings\b/.test(l));

describe("every admin list/filter query and every cron batch uses an index (no full scan of mappings)", () => {
  const db = getDb(env, "primary");
  const filters: [string, MappingFilter][] = [
    ["no filter", { limit: 100 }],
    ["next page", { limit: 100, afterId: 5000 }],
    ["source", { source: "s", limit: 100 }],
    ["source + state", { source: "s", state: "missing", limit: 100 }],
    ["source + state, limit 1000, next page", { source: "s", state: "ready", limit: 1000, afterId: 99 }],
    ["state", { state: "failed", limit: 100 }],
    ["source + prefix", { source: "s", prefix: "products/", limit: 100 }],
    ["prefix", { prefix: "products/", limit: 100 }],
    ["state + prefix", { state: "ready", prefix: "p", limit: 100 }],
    ["source + state + prefix", { source: "s", state: "ready", prefix: "p", limit: 100 }],
  ];
  it.each(filters)("GET /_admin/mappings by %s", async (_name, f) => {
    const lines = await plan(listMappingsQuery(db, f));
    expect(fullScan(lines), lines.join(" | ")).toEqual([]);
    expect(
      lines.some((l) => /^SEARCH mappings/.test(l)),
      lines.join(" | "),
    ).toBe(true);
  });

  it("a prefix reads its range of the (source, key) index, not every row of the source", async () => {
    for (const f of filters.filter(([, f]) => f.prefix).map(([, f]) => f)) {
      const lines = await plan(listMappingsQuery(db, f));
      expect(lines.join(" | ")).toMatch(
        /SEARCH mappings USING INDEX mappings_source_key \(source=\? AND key>\? AND key<\?\)/,
      );
    }
  });

  it("filters by source and state read their rows already in id order (no sort of the matches)", async () => {
    for (const f of filters.filter(([, f]) => !f.prefix).map(([, f]) => f)) {
      const lines = await plan(listMappingsQuery(db, f));
      expect(lines.join(" | ")).not.toMatch(/TEMP B-TREE/);
    }
  });

  it.each(["missing", "failed"] as const)("the cron's purge of expired %s rows", async (state) => {
    for (const q of [
      expiredUnmappedQuery(db, state, Date.now(), 500),
      expiredUnmappedDelete(db, state, Date.now(), 500),
    ]) {
      const lines = await plan(q);
      expect(fullScan(lines), lines.join(" | ")).toEqual([]);
      expect(lines.join(" | ")).toMatch(/mappings_state_retry_at|INTEGER PRIMARY KEY/);
    }
  });
});
