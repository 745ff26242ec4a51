import { describe, expect, it } from "vitest";
import { validateKey } from "../../src/parsers/key";

describe("key rules: validateKey", () => {
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
