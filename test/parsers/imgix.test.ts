import ImgixClient from "@imgix/js-core";
import { describe, expect, it } from "vitest";
import type { DeliveryOptions } from "../../src/delivery/options";
import { parseImgixUrl } from "../../src/parsers/imgix";
import { decodeSegments, expectError, expectOk, makeSource, parse, TRICKY_NAMES } from "./helpers";

const DOMAIN = "demo.imgix.net";
const source = makeSource("imgix", {}, { host: DOMAIN, origin: "https://demo-bucket.s3.amazonaws.com" });
const client = new ImgixClient({ domain: DOMAIN });
const signing = new ImgixClient({ domain: DOMAIN, secureURLToken: "s3cr3t-token" });

type Params = Record<string, string | number>;

function optionsOf(params: Params): DeliveryOptions {
  return expectOk(parse(client.buildURL("photos/sample.jpg", params), source)).options;
}

const PARAM_SETS: Params[] = [
  {},
  { w: 400 },
  { w: 400, h: 300, fit: "crop", crop: "faces,entropy" },
  { auto: "format,compress", q: 60, dpr: 2 },
  { fm: "webp", blur: 200, sharp: 30 },
  { w: 0.5, fit: "facearea", facepad: 2 },
];

describe("imgix: key and origin path", () => {
  for (const name of TRICKY_NAMES) {
    const path = `${name}.jpg`;
    it(`path ${JSON.stringify(path)}: every param set and signed URL give the same key and origin path`, () => {
      const keys = new Set<string>();
      const origins = new Set<string>();
      for (const params of PARAM_SETS) {
        for (const builder of [client, signing]) {
          const url = builder.buildURL(path, params);
          const asset = expectOk(parse(url, source));
          keys.add(asset.key);
          origins.add(asset.originPath);
        }
      }
      expect([...keys]).toEqual([path]);
      expect(origins.size).toBe(1);
      const [origin] = [...origins];
      expect(origin).not.toMatch(/[ #?]/);
      expect(decodeSegments(origin!)).toBe(path);
    });
  }

  it("a leading slash given to the SDK does not change the key", () => {
    expect(expectOk(parse(client.buildURL("/a/b.png"), source)).key).toBe("a/b.png");
  });

  it("works below a pathPrefix", () => {
    const prefixed = makeSource("imgix", {}, { pathPrefix: "/img/" });
    const asset = expectOk(parse("https://www.example.com/img/a%20b/c.jpg?w=10&ixlib=js-3.8.0", prefixed));
    expect(asset.key).toBe("a b/c.jpg");
    expect(asset.originPath).toBe("a%20b/c.jpg");
    expect(asset.options).toEqual({ width: 10 });
  });

  it("no namedVariant is ever set", () => {
    expect("namedVariant" in expectOk(parse(client.buildURL("a.jpg", { w: 1 }), source))).toBe(false);
  });
});

describe("imgix: params → delivery options", () => {
  it("width, height and every fit mode", () => {
    const table: Record<string, DeliveryOptions> = {
      crop: { fit: "cover" },
      clip: { fit: "contain" },
      max: { fit: "scale-down" },
      fill: { fit: "pad" },
      scale: { fit: "squeeze" },
      facearea: { fit: "cover", gravity: "face" },
      min: { fit: "crop" }, // approximated (listed in dropped)
      fillmax: { fit: "pad" },
      clamp: { fit: "pad" }, // approximated (listed in dropped)
    };
    for (const [fit, expected] of Object.entries(table)) {
      expect(optionsOf({ w: 400, h: 300, fit }), `fit=${fit}`).toEqual({
        width: 400,
        height: 300,
        ...expected,
      });
    }
  });

  it("crop: faces → face, focal point → XxY, smart crops → auto, sides → side, two sides → corner", () => {
    const box = { w: 300, h: 200 };
    const crop = { width: 300, height: 200, fit: "cover" } as const;
    expect(optionsOf({ ...box, fit: "crop", crop: "faces,entropy" })).toEqual({ ...crop, gravity: "face" });
    expect(optionsOf({ ...box, fit: "crop", crop: "top,left" })).toEqual({ ...crop, gravity: "0x0" });
    expect(optionsOf({ ...box, fit: "crop", crop: "focalpoint", "fp-x": 0.25, "fp-y": 0.8 })).toEqual({
      ...crop,
      gravity: "0.25x0.8",
    });
    expect(optionsOf({ ...box, fit: "crop", crop: "right" })).toEqual({ ...crop, gravity: "right" });
    expect(optionsOf({ ...box, fit: "crop", crop: "bottom" })).toEqual({ ...crop, gravity: "bottom" });
    expect(optionsOf({ ...box, fit: "crop", crop: "entropy" })).toEqual({ ...crop, gravity: "auto" });
    expect(optionsOf({ ...box, fit: "facearea", crop: "top" })).toEqual({ ...crop, gravity: "face" });
  });

  it("a fit or crop without w/h carries nothing (Images needs a size to fit to), and says so", () => {
    const asset = expectOk(parse(client.buildURL("a.jpg", { fit: "crop", crop: "faces" }), source));
    expect(asset.options).toEqual({});
    expect(asset.dropped.map((d) => d.param)).toEqual(["fit=crop"]);
  });

  it("fractional, zero and non-numeric sizes are ignored", () => {
    expect(optionsOf({ w: 0.5, h: 0.25 })).toEqual({});
    expect(optionsOf({ w: 0, h: "abc" })).toEqual({});
    expect(optionsOf({ w: "400.5", h: 300 })).toEqual({ height: 300 });
  });

  it("q 0–100; auto=compress → 45 unless q is given", () => {
    expect(optionsOf({ q: 75 })).toEqual({ quality: 75 });
    expect(optionsOf({ q: 0 })).toEqual({ quality: 1 });
    expect(optionsOf({ q: 101 })).toEqual({});
    expect(optionsOf({ auto: "compress" })).toEqual({ quality: 45 });
    expect(optionsOf({ auto: "compress", q: 80 })).toEqual({ quality: 80 });
    expect(optionsOf({ auto: "enhance,compress" })).toEqual({ quality: 45 });
  });

  it("auto=format → auto and wins over fm; fm jpg/pjpg → jpeg, others kept or ignored", () => {
    expect(optionsOf({ auto: "format" })).toEqual({ format: "auto" });
    expect(optionsOf({ auto: "format,compress" })).toEqual({ format: "auto", quality: 45 });
    expect(optionsOf({ auto: "format", fm: "png" })).toEqual({ format: "auto" });
    const table: Record<string, DeliveryOptions["format"]> = {
      jpg: "jpeg",
      pjpg: "jpeg",
      png: "png",
      webp: "webp",
      avif: "avif",
      gif: "gif",
      tiff: undefined,
      json: undefined,
      mp4: undefined,
    };
    for (const [fm, format] of Object.entries(table)) {
      expect(optionsOf({ fm }), `fm=${fm}`).toEqual(format ? { format } : {});
    }
  });

  it("dpr capped at 2", () => {
    expect(optionsOf({ w: 100, dpr: 1.5 })).toEqual({ width: 100, dpr: 1.5 });
    expect(optionsOf({ dpr: 3 })).toEqual({ dpr: 2 });
    expect(optionsOf({ dpr: 0 })).toEqual({});
  });

  it("blur 0–2000 → max(1, round(n/8)), 0 → none", () => {
    expect(optionsOf({ blur: 0 })).toEqual({});
    expect(optionsOf({ blur: 1 })).toEqual({ blur: 1 });
    expect(optionsOf({ blur: 100 })).toEqual({ blur: 13 });
    expect(optionsOf({ blur: 2000 })).toEqual({ blur: 250 });
    expect(optionsOf({ blur: 5000 })).toEqual({ blur: 250 });
  });

  it("sharp 0–100 → round(n/10), 0 → none", () => {
    expect(optionsOf({ sharp: 0 })).toEqual({});
    expect(optionsOf({ sharp: 4 })).toEqual({});
    expect(optionsOf({ sharp: 5 })).toEqual({ sharpen: 1 });
    expect(optionsOf({ sharp: 55 })).toEqual({ sharpen: 6 });
    expect(optionsOf({ sharp: 100 })).toEqual({ sharpen: 10 });
  });

  it("aspect ratio with fit=crop derives the missing dimension", () => {
    expect(optionsOf({ ar: "16:9", fit: "crop", w: 1600 })).toEqual({
      width: 1600,
      height: 900,
      fit: "cover",
    });
    expect(optionsOf({ ar: "16:9", fit: "clip", w: 1600 })).toEqual({ width: 1600, fit: "contain" });
  });

  it("unknown params (txt, mark, ch) are listed in dropped; signing params (ixlib, s) are ignored silently", () => {
    const url = signing.buildURL("a.jpg", { txt: "hello", mark: "logo.png", ch: "Width,DPR" });
    expect(url).toContain("ixlib=");
    expect(url).toContain("&s=");
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({});
    expect(asset.dropped.map((d) => d.param).sort()).toEqual(["ch=Width,DPR", "mark=logo.png", "txt=hello"]);
  });

  it("the whole set at once", () => {
    expect(
      optionsOf({
        w: 640,
        h: 480,
        fit: "crop",
        crop: "faces",
        q: 70,
        auto: "format",
        dpr: 2,
        blur: 80,
        sharp: 20,
      }),
    ).toEqual({
      width: 640,
      height: 480,
      fit: "cover",
      gravity: "face",
      quality: 70,
      format: "auto",
      dpr: 2,
      blur: 10,
      sharpen: 2,
    });
  });
});

describe("imgix: invalid paths", () => {
  it("empty path → invalid_key", () => {
    expectError(parse("https://demo.imgix.net/?w=100", source), "invalid_key");
  });

  it("'..' segments (raw, %2e%2e, or behind an encoded slash) → invalid_key", () => {
    const url = new URL("https://demo.imgix.net/x");
    expectError(parseImgixUrl(url, "/a/../b.jpg", source), "invalid_key");
    expectError(parseImgixUrl(url, "/a/%2E%2e/b.jpg", source), "invalid_key");
    expectError(parse("https://demo.imgix.net/a%2F..%2Fetc/passwd", source), "invalid_key");
  });

  it("NUL, control characters and malformed escapes", () => {
    expectError(parse("https://demo.imgix.net/a%00.jpg", source), "invalid_key");
    expectError(parse("https://demo.imgix.net/a%1F.jpg", source), "invalid_key");
    expectError(parse("https://demo.imgix.net/a%zz.jpg", source), "unparseable_url");
    expectError(parse("https://demo.imgix.net/a%ff.jpg", source), "unparseable_url");
  });

  it("a path over 1024 bytes → invalid_key; exactly 1024 bytes is accepted", () => {
    const ok = "日本".repeat(170) + "abcd"; // 1020 + 4 bytes
    expect(expectOk(parse(client.buildURL(ok), source)).key).toBe(ok);
    expectError(parse(client.buildURL(ok + "e"), source), "invalid_key");
  });
});
