import { describe, expect, it } from "vitest";
import { config } from "../../src/config";
import { retryDelay } from "../../src/jobs/consumer";
import { parseItemList } from "../../src/jobs/input";
import { imageKey, normalizePrefix, readManifest } from "../../src/jobs/layout";
import { chunkMessages } from "../../src/jobs/messages";
import { parseCsvRecords } from "../../src/import/rows";

function records(text: string) {
  const out: [string[], number, string | null][] = [];
  parseCsvRecords(text, (fields, line, malformed) => out.push([fields, line, malformed]));
  return out;
}

describe("CSV records (bulk import and job lists)", () => {
  it("quotes, doubled quotes, separators and line ends inside quotes; lines counted where records start", () => {
    expect(records('a,"b,c"\r\n"d ""e""",f\n\n"multi\r\nline",g\rh,\n')).toEqual([
      [["a", "b,c"], 1, null],
      [['d "e"', "f"], 2, null],
      [["multi\r\nline", "g"], 4, null],
      [["h", ""], 6, null],
    ]);
    expect(records("\uFEFFurl\nx")).toEqual([
      [["url"], 1, null],
      [["x"], 2, null],
    ]);
    expect(records('in"side,x')).toEqual([[['in"side', "x"], 1, null]]);
  });

  it("a field not closed is malformed; text after a closing quote starts a field (caught by the column count)", () => {
    expect(records('"ok",1\n"x"y,2\n3,"open\nrest')).toEqual([
      [["ok", "1"], 1, null],
      [["x", "", "2"], 2, null],
      [["3", "open\nrest"], 3, "a quoted field is not closed"],
    ]);
    expect(records('a,"closed\nover lines"\n')).toEqual([[["a", "closed\nover lines"], 1, null]]);
    expect(records('ok,1\nx,"open at the end')).toEqual([
      [["ok", "1"], 1, null],
      [["x", "open at the end"], 2, "a quoted field is not closed"],
    ]);
  });
});

describe("item lists", () => {
  it("one URL a line: physical line numbers, CRLF and a BOM tolerated, blank lines skipped", () => {
    expect(parseItemList("\uFEFFhttps://a.test/1.png\r\n\r\n  https://a.test/2.png  \n", "lines")).toEqual([
      { line: 1, url: "https://a.test/1.png" },
      { line: 3, url: "https://a.test/2.png" },
    ]);
    expect(parseItemList(" spaced key.png\nnext", "lines", "src")).toEqual([
      { line: 1, source: "src", key: " spaced key.png" },
      { line: 2, source: "src", key: "next" },
    ]);
  });

  it("CSV: url or source,key columns, header optional, quoted fields over lines keep their first line", () => {
    expect(parseItemList('url\nhttps://a.test/1.png\n"https://a.test/2,3.png"\n', "csv")).toEqual([
      { line: 2, url: "https://a.test/1.png" },
      { line: 3, url: "https://a.test/2,3.png" },
    ]);
    expect(parseItemList('s1,"multi\nline.png"\ns2,b.png\na,b,c', "csv")).toEqual([
      { line: 1, source: "s1", key: "multi\nline.png" },
      { line: 3, source: "s2", key: "b.png" },
      { line: 4, error: "expected 1 column (url), found 3" },
    ]);
    expect(parseItemList("key\nk1.png", "csv")).toEqual([
      { line: 2, error: "source: give ?source= for a list of keys" },
    ]);
    expect(parseItemList("key\nk1.png", "csv", "s")).toEqual([{ line: 2, source: "s", key: "k1.png" }]);
  });

  it("NDJSON: strings, {url} and {source,key} objects; anything else is a line error", () => {
    expect(
      parseItemList(
        '"https://a.test/1.png"\n{"source":"s","key":"k"}\n{"url":1}\n{"url":"u","key":"k"}\n{"x":1}\n',
        "ndjson",
      ),
    ).toEqual([
      { line: 1, url: "https://a.test/1.png" },
      { line: 2, source: "s", key: "k" },
      { line: 3, error: "url: must be a string" },
      { line: 4, error: "url: give either url, or source and key" },
      { line: 5, error: "x: unknown field" },
    ]);
  });
});

describe("queue messages", () => {
  it("chunks by count (100) and by bytes (256 KB with ~100 bytes of metadata each)", () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ j: 1, i }));
    expect(chunkMessages(small).map((c) => c.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 150 }, (_, i) => ({ j: 1, i, d: { meta: { note: "é".repeat(2000) } } }));
    const chunks = chunkMessages(big);
    for (const c of chunks) {
      const bytes = c.reduce((n, m) => n + new TextEncoder().encode(JSON.stringify(m)).byteLength + 100, 0);
      expect(bytes).toBeLessThanOrEqual(256_000);
      expect(c.length).toBeLessThanOrEqual(100);
    }
    expect(chunks.flat()).toEqual(big);
    expect(chunks.length).toBeGreaterThan(2);
  });
});

describe("export layout", () => {
  it("keys an image by its id, or by the SHA-256 of its id when the key would pass 1024 bytes", async () => {
    expect(await imageKey("e/", "a/b.png")).toBe("e/images/a/b.png");
    const long = "ü".repeat(600);
    const key = await imageKey("e/", long);
    expect(key).toMatch(/^e\/images\/[0-9a-f]{64}$/);
  });

  it("prefixes end with '/', never start with one and stay short enough for every key", () => {
    expect(normalizePrefix("export/2026-01-01")).toBe("export/2026-01-01/");
    for (const bad of ["/x", "", "a//b", "a/./b", "a\u0000b", "x".repeat(600)]) {
      expect(() => normalizePrefix(bad)).toThrow(/^prefix: /);
    }
  });

  it("only a manifest of this gateway's exports is accepted", () => {
    expect(() => readManifest("{")).toThrow("manifest.json is not valid JSON");
    expect(() => readManifest('{"format":"other"}')).toThrow(/not a manifest/);
    expect(
      readManifest(
        '{"format":"legacy-image-gateway-export","version":1,"mappings":{"parts":[{"key":"p/m.ndjson"}]},"sources":{"key":"p/s.json"}}',
      ),
    ).toEqual({ parts: ["p/m.ndjson"], sources: "p/s.json" });
  });
});

describe("item backoff", () => {
  it("starts at JOB_RETRY_BASE seconds and doubles per failed attempt", () => {
    const cfg = config({ JOB_RETRY_BASE: "5" } as Env);
    expect([1, 2, 3].map((n) => retryDelay(cfg, n))).toEqual([5, 10, 20]);
    expect(config({} as Env).jobMaxAttempts).toBe(3);
  });
});
