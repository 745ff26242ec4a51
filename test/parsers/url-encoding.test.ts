import { describe, expect, it } from "vitest";
import { decodeOnce, encodeSegments } from "../../src/parsers/url-encoding";

describe("url encoding: decodeOnce", () => {
  it("decodes exactly once and leaves '+' alone", () => {
    expect(decodeOnce("a%2520b+c")).toBe("a%20b+c");
    expect(decodeOnce("%E6%97%A5%E6%9C%AC")).toBe("日本");
    expect(decodeOnce("plain")).toBe("plain");
  });

  it("returns null for malformed escapes and non-UTF-8 bytes instead of throwing", () => {
    for (const bad of ["%zz", "%", "%4", "a%E6%97", "%ff", "%C0%AF"]) expect(decodeOnce(bad), bad).toBeNull();
  });
});

describe("url encoding: encodeSegments", () => {
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
