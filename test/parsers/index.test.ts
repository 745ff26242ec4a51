import { describe, expect, it } from "vitest";
import { parseLegacyUrl } from "../../src/parsers";
import { validateKey } from "../../src/parsers/key";
import type { Source } from "../../src/sources/types";
import { expectOk, makeSource, parse } from "./helpers";

describe("parseLegacyUrl dispatches on source.kind", () => {
  const url = "https://img.example.com/demo/image/upload/w_100/v1/a+b/c.jpg?v=1";

  it("each kind reads the same URL its own way", () => {
    const keys = {
      cloudinary: expectOk(parse(url, makeSource("cloudinary", { cloudName: "demo" }))).key,
      imgix: expectOk(parse(url, makeSource("imgix"))).key,
      s3: expectOk(parse(url, makeSource("s3", {}, { origin: null }))).key,
      http: expectOk(parse(url, makeSource("http", { keepQuery: ["v"] }))).key,
    };
    expect(keys).toEqual({
      cloudinary: "a+b/c",
      imgix: "demo/image/upload/w_100/v1/a+b/c.jpg",
      s3: "demo/image/upload/w_100/v1/a b/c.jpg",
      http: "demo/image/upload/w_100/v1/a+b/c.jpg?v=1",
    });
  });

  it("an unknown kind is an error, not a throw", () => {
    const odd = { ...makeSource("http"), kind: "ftp" } as unknown as Source;
    const result = parseLegacyUrl(new URL("https://x/a.jpg"), "/a.jpg", odd);
    expect(result).toMatchObject({ ok: false, reason: "unparseable_url" });
  });

  it("never throws; whatever the path, query or options, a result obeys the key rules or names a reason", () => {
    const rests = [
      "/",
      "",
      "//",
      "/%",
      "/%zz",
      "/%ff%fe",
      "/%00",
      "/\u0000",
      "/..",
      "/a/%2e%2e/b",
      "/" + "x/".repeat(600),
      "/demo/image/upload/",
      "/demo/images/",
      "/image/upload/,,,/x",
      "/image/upload/w_/h_/c_/g_/x",
      "/image/upload/e_blur:99999999999/x",
      "/image/upload/t_/x",
      "/image/upload/l_a/fl_layer_apply/x",
      "/image/upload/if_end/if_end/x",
      "/image/upload/ar_0:0,w_10/x",
      "/image/upload/ar_1:0,h_10/x",
      "/image/upload/$_1/x",
      "/iu",
      "/images/x",
      "/video",
      "/image",
    ];
    const hosts = [
      "img.example.com",
      "b.s3.amazonaws.com",
      "s3.amazonaws.com",
      "x.s3-website-.amazonaws.com",
    ];
    const queries = [
      "",
      "?w=-1&h=1e9&q=-5&dpr=NaN&blur=-1&sharp=1e400&ar=0:0&fit=crop&crop=,,,&auto=,&fm=",
      "?v=%ff&v",
    ];
    const sources: Source[] = [
      makeSource("cloudinary", { cloudName: "demo", namedTransformations: { t_x: "y" } }),
      makeSource("cloudinary", {}),
      makeSource("cloudinary", null as unknown as {}),
      makeSource("imgix"),
      makeSource("s3", { bucket: "b" }),
      makeSource("s3", {}),
      makeSource("http", { keepQuery: ["v", "\ud800", 3 as unknown as string] }),
      makeSource("http", null as unknown as {}),
    ];
    // Paths no kind may accept: empty, malformed escapes, NUL, `..` segments.
    const alwaysRefused = new Set([
      "/",
      "",
      "/%",
      "/%zz",
      "/%ff%fe",
      "/%00",
      "/\u0000",
      "/..",
      "/a/%2e%2e/b",
    ]);
    const reasons = new Set(["unsupported_asset", "unparseable_url", "invalid_key"]);
    for (const source of sources) {
      for (const host of hosts) {
        for (const query of queries) {
          for (const rest of rests) {
            const what = `${source.kind} ${JSON.stringify(source.options)} ${host} ${query} ${JSON.stringify(rest)}`;
            const result = parseLegacyUrl(new URL(`https://${host}/x${query}`), rest, source);
            if (result.ok) {
              expect(alwaysRefused.has(rest), what).toBe(false);
              expect(validateKey(result.key), what).toBeNull();
              // The origin fetch appends it to a URL: nothing a URL parser would cut or change.
              expect(result.originPath, what).not.toMatch(/[\s#]/);
              expect(() => result.originPath.split("/").map(decodeURIComponent), what).not.toThrow();
              for (const value of Object.values(result.options)) {
                expect(typeof value === "string" || Number.isFinite(value), what).toBe(true);
              }
            } else {
              expect(reasons.has(result.reason), what).toBe(true);
              expect(result.message.length, what).toBeGreaterThan(10);
            }
          }
        }
      }
    }
  });
});
