import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_BOUND_VALUE_BYTES } from "../../src/db/import";
import { createSource, fetchWith } from "../helpers";
import { type D1Call, d1Error, faultyD1 } from "../faults";

const utf8 = (v: unknown) => (typeof v === "string" ? new TextEncoder().encode(v).byteLength : 8);

/** NDJSON rows with keys and image ids near their 1024 limits (and non-ASCII letters). */
function longRows(source: string, n: number, tag: string): string {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const key = `${tag}/${String(i).padStart(5, "0")}/${"é".repeat(300)}${"k".repeat(400)}`;
    lines.push(JSON.stringify({ source, key, imageId: `${tag}-${i}-${"i".repeat(1000)}` }));
  }
  return lines.join("\n");
}

async function importWith(DB: D1Database, body: string) {
  const { res } = await fetchWith(
    "http://gw.test/_admin/mappings/import?mode=insert",
    { DB },
    {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/x-ndjson" },
      body,
    },
  );
  return { status: res.status, body: (await res.json()) as any };
}

describe("bulk import respects D1's limits by construction", () => {
  it("no bound value over 1 MB and at most 100 bound parameters, with long keys, ids and URLs", async () => {
    const s = await createSource({
      kind: "http",
      origin: `https://${"o".repeat(60)}.origin.test/${"p".repeat(500)}`,
    });
    const bound: D1Call[] = [];
    const DB = faultyD1(env.DB, {
      before: (c) => {
        if (/^\s*INSERT INTO mappings/i.test(c.sql)) bound.push(c);
      },
    });
    const res = await importWith(DB, longRows(s.id, 1000, "a"));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ created: 1000, errors: [] });
    for (const c of bound) {
      expect(c.params.length).toBeLessThanOrEqual(100);
      for (const v of c.params) expect(utf8(v)).toBeLessThanOrEqual(MAX_BOUND_VALUE_BYTES);
    }
    expect(bound.length).toBeGreaterThan(1);
    // The limit is D1's 1 MB; SQLite here would take more, so the test holds it to that number.
    expect(MAX_BOUND_VALUE_BYTES).toBeLessThanOrEqual(1_000_000);
  });

  it("a batch D1 refuses reports its rows as per-line errors and keeps the others, never a bare 500", async () => {
    const s = await createSource({ kind: "http", origin: "https://batch.origin.test" });
    let batches = 0;
    const DB = faultyD1(env.DB, {
      beforeBatch: (calls) => {
        if (calls.some((c) => /^\s*INSERT INTO mappings/i.test(c.sql)) && ++batches === 2) throw d1Error();
      },
    });
    const res = await importWith(DB, longRows(s.id, 3000, "b"));
    expect(res.status).toBe(200);
    const { created, errors } = res.body.result as {
      created: number;
      errors: { line: number; message: string }[];
    };
    expect(errors.length).toBeGreaterThan(0);
    expect(created + errors.length).toBe(3000);
    expect(errors[0]!.message).toMatch(/not written/);
    // The failed lines are one contiguous run: exactly the rows of the refused batch.
    const lines = errors.map((e) => e.line);
    expect(lines.at(-1)! - lines[0]! + 1).toBe(lines.length);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM mappings WHERE source = ?")
      .bind(s.id)
      .first<{ n: number }>();
    expect(stored!.n).toBe(created);
  });
});
