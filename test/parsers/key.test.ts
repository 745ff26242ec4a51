import { describe, expect, it } from "vitest";
import { decodeOnce, encodeSegments, validateKey } from "../../src/parsers/key";

describe("key helpers: decodeOnce", () => {
  it("decodes exactly once and leaves '+' alone", () => {
    expect(decodeOnce("a%2520b+c")).toBe("a%20b+c");
    expect(decodeOnce("%E6%97%A5%E6%9C%AC")).toBe("日本");
    expect(decodeOnce("plain")).toBe("plain");
  });

  it("returns null for malformed escapes and non-UTF-8 bytes instead of throwing", () => {
    for (const bad of ["%zz", "%", "%4", "a%E6%97", "%ff", "%C0%AF"]) expect(decodeOnce(bad), bad).toBeNull();
  });
});

describe("key helpers: validateKey", () => {
  it("accepts ordinary keys, including dots that are not a '..' segment", () => {
    for (const key of ["a", "a/b.jpg", "a..b", ".../x", "x/.hidden", "a b/c,d+e#f%g?h", "日本/é"]) {
      expect(validateKey(key), key).toBeNull();
    }
  });

  it("rejects empty, leading '/', '..' segments anywhere", () => {
    for (const key of ["", "/a", "..", "../a", "a/..", "a/../b"]) {
      expect(validateKey(key)?.reason, JSON.stringify(key)).toBe("invalid_key");
    }
  });

  it("rejects every C0 control character and DEL, and lone surrogates", () => {
    for (let c = 0; c < 0x20; c++)
      expect(validateKey(`a${String.fromCharCode(c)}b`)?.reason).toBe("invalid_key");
    expect(validateKey("a\u007fb")?.reason).toBe("invalid_key");
    expect(validateKey("a\ud800b")?.reason).toBe("invalid_key");
    expect(validateKey("a\udc00")?.reason).toBe("invalid_key");
    expect(validateKey("a\u0080b")).toBeNull(); // C1 controls are not in the SPEC's list
  });

  it("counts UTF-8 bytes: 1024 accepted, 1025 refused (1-, 2-, 3- and 4-byte characters)", () => {
    const cases: Array<[string, number]> = [
      ["a", 1],
      ["é", 2],
      ["日", 3],
      ["😀", 4],
    ];
    for (const [ch, size] of cases) {
      const fits = ch.repeat(Math.floor(1024 / size)) + "a".repeat(1024 % size);
      expect(validateKey(fits), `${ch} fits`).toBeNull();
      expect(validateKey(fits + "a")?.reason, `${ch} too long`).toBe("invalid_key");
    }
  });
});

describe("key helpers: encodeSegments", () => {
  it("encodes each segment and keeps the slashes", () => {
    expect(encodeSegments("a b/c,d+e#f%g?h/日本")).toBe("a%20b/c%2Cd%2Be%23f%25g%3Fh/%E6%97%A5%E6%9C%AC");
    expect(encodeSegments("a//b")).toBe("a//b");
  });

  it("round-trips every tricky key", () => {
    for (const key of ["a b/c,d+e#f%g?h", "x+y", "x y", "100%/é/日本 写真", "~!*'()"]) {
      expect(encodeSegments(key).split("/").map(decodeURIComponent).join("/")).toBe(key);
    }
  });
});
