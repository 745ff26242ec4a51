import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import type { DeliveryOptions } from "../../src/delivery/options";
import { parseCloudinaryUrl } from "../../src/parsers/cloudinary";
import { decodeSegments, expectError, expectOk, makeSource, parse, TRICKY_NAMES } from "./helpers";

const CLOUD = "demo";
const source = makeSource(
  "cloudinary",
  { cloudName: CLOUD, namedTransformations: { t_thumb: "thumbnail", hero: "hero-wide" } },
  { origin: "https://res.cloudinary.com/demo" },
);

type UrlOptions = Record<string, unknown>;

/** The Cloudinary SDK's own URL; the SDK decodes the public id first, so a literal `%` is `%25`. */
function cld(publicId: string, options: UrlOptions = {}): string {
  return cloudinary.url(publicId.replaceAll("%", "%25"), { cloud_name: CLOUD, secure: true, ...options });
}

/** Options parsed from the SDK's URL of `sample` built with `options`. */
function optionsOf(options: UrlOptions): DeliveryOptions {
  return expectOk(parse(cld("sample", options), source)).options;
}

/** Every way the SDK writes a URL for one asset: sizes, crops, formats, SEO suffix, short form, signature. */
const VARIANTS: Array<[string, UrlOptions]> = [
  ["plain", {}],
  ["format jpg", { format: "jpg" }],
  ["format webp with version", { format: "webp", version: 1712345678 }],
  ["fill 400x300 face", { width: 400, height: 300, crop: "fill", gravity: "face" }],
  [
    "chained transformations",
    {
      transformation: [
        { width: 800, crop: "limit" },
        { quality: "auto", fetch_format: "auto" },
      ],
    },
  ],
  ["named transformation", { transformation: "thumb" }],
  ["SEO suffix", { url_suffix: "nice-name" }],
  [
    "SEO suffix with format, version and crop",
    { url_suffix: "nice-name", format: "jpg", version: 42, width: 100, crop: "fill" },
  ],
  ["short iu form", { shorten: true, width: 100, crop: "scale" }],
  ["signed", { sign_url: true, api_secret: "secret", width: 300, crop: "fit" }],
  ["long signature", { sign_url: true, long_url_signature: true, api_secret: "secret", width: 10 }],
  ["signed SEO", { sign_url: true, api_secret: "secret", url_suffix: "seo", format: "png" }],
  ["no forced version", { force_version: false, width: 120, crop: "thumb", gravity: "faces" }],
  ["effects", { effect: "blur:300", dpr: 2, angle: 10, radius: "max" }],
];

describe("cloudinary: every URL of one asset resolves to the same key", () => {
  for (const publicId of TRICKY_NAMES) {
    it(`public id ${JSON.stringify(publicId)}: every SDK variant gives the public id as key`, () => {
      for (const [name, options] of VARIANTS) {
        const url = cld(publicId, options);
        const result = parse(url, source);
        if (!result.ok) throw new Error(`${name}: ${url} → ${result.reason}: ${result.message}`);
        expect(result.key, `${name}: ${url}`).toBe(publicId);
      }
    });
  }

  it("originPath is image/upload/<public id>[.ext as requested], without transformation, version or signature", () => {
    const cases: Array<[UrlOptions, string]> = [
      [{}, ""],
      [{ format: "jpg", version: 5, width: 100, crop: "fill" }, ".jpg"],
      [{ url_suffix: "seo", format: "png", sign_url: true, api_secret: "s" }, ".png"],
      [{ shorten: true, format: "webp" }, ".webp"],
    ];
    for (const publicId of TRICKY_NAMES) {
      for (const [options, ext] of cases) {
        const asset = expectOk(parse(cld(publicId, options), source));
        expect(asset.originPath.startsWith("image/upload/")).toBe(true);
        expect(asset.originPath).not.toMatch(/[ #?]|\/v\d+\/|s--|w_/);
        expect(decodeSegments(asset.originPath)).toBe(`image/upload/${publicId}${ext}`);
      }
    }
  });

  it("folders that look like parameters (my_photos/, img_2020/) stay part of the public id", () => {
    const url = cld("my_photos/img_2020/beach", { force_version: false, width: 300, crop: "limit" });
    expect(url).toContain("/c_limit,w_300/my_photos/img_2020/beach");
    const asset = expectOk(parse(url, source));
    expect(asset.key).toBe("my_photos/img_2020/beach");
    expect(asset.options).toEqual({ width: 300, fit: "scale-down" });
    expect(asset.dropped).toEqual([]);
  });

  it("an unknown extension stays part of the key; a known one in any case is stripped", () => {
    expect(expectOk(parse(cld("report.final"), source)).key).toBe("report.final");
    const upper = expectOk(parse("https://res.cloudinary.com/demo/image/upload/v1/Photo.JPG", source));
    expect(upper.key).toBe("Photo");
    expect(upper.originPath).toBe("image/upload/Photo.JPG");
  });

  it("the version alone as last segment is a public id, and the query (_a) is ignored", () => {
    const asset = expectOk(parse("https://res.cloudinary.com/demo/image/upload/w_10/v2?_a=XYZ&x=1", source));
    expect(asset.key).toBe("v2");
    expect(asset.options).toEqual({ width: 10 });
  });

  it("SEO form: the last segment is the suffix, the segments before it the public id", () => {
    const asset = expectOk(parse("https://res.cloudinary.com/demo/images/sample/nice.jpg", source));
    expect(asset.key).toBe("sample");
    expect(asset.originPath).toBe("image/upload/sample.jpg");
    const single = expectOk(parse("https://res.cloudinary.com/demo/images/w_50/sample.png", source));
    expect(single.key).toBe("sample");
    expect(single.options).toEqual({ width: 50 });
  });

  it("a private-CDN/custom-domain URL without the cloud segment parses the same", () => {
    const asset = expectOk(
      parse("https://demo-res.cloudinary.com/image/upload/c_fill,w_10/v1/a/b.jpg", source),
    );
    expect(asset.key).toBe("a/b");
    expect(asset.options).toEqual({ width: 10, fit: "cover" });
  });

  it("without a configured cloudName, the cloud segment before image/upload is still skipped", () => {
    const bare = makeSource("cloudinary", {});
    expect(expectOk(parse(cld("folder/x", { width: 5 }), bare)).key).toBe("folder/x");
  });

  it("works below a pathPrefix", () => {
    const prefixed = makeSource("cloudinary", { cloudName: CLOUD }, { pathPrefix: "/cdn" });
    const asset = expectOk(parse("https://img.example.com/cdn/demo/image/upload/w_10/v3/a/b.png", prefixed));
    expect(asset.key).toBe("a/b");
  });
});

describe("cloudinary: transformations → delivery options", () => {
  it("fill with width, height and face gravity", () => {
    expect(optionsOf({ width: 400, height: 300, crop: "fill", gravity: "face" })).toEqual({
      width: 400,
      height: 300,
      fit: "cover",
      gravity: "face",
    });
  });

  it("every crop mode maps to its Images fit", () => {
    const table: Record<string, DeliveryOptions["fit"]> = {
      fill: "cover",
      lfill: "crop", // fill without enlarging: exactly Images' crop
      fill_pad: "cover",
      fit: "contain",
      limit: "scale-down",
      scale: "squeeze",
      crop: "crop",
      thumb: "crop",
      pad: "pad",
      lpad: "pad",
      mpad: "pad",
      mfit: "contain", // approximated: Images has no fit that only enlarges (listed in dropped)
      imagga_scale: "squeeze", // approximated (listed in dropped)
      auto: "cover",
    };
    for (const [crop, fit] of Object.entries(table)) {
      const expected: DeliveryOptions = { width: 100, height: 80, fit };
      if (crop === "auto") expected.gravity = "auto";
      expect(optionsOf({ width: 100, height: 80, crop }), `c_${crop}`).toEqual(expected);
    }
  });

  it("without c_, Cloudinary scales: one dimension needs no fit (Images' default keeps the ratio), two squeeze", () => {
    expect(optionsOf({ width: 100 })).toEqual({ width: 100 });
    expect(optionsOf({ height: 100 })).toEqual({ height: 100 });
    expect(optionsOf({ width: 100, height: 80 })).toEqual({ width: 100, height: 80, fit: "squeeze" });
    expect(optionsOf({ width: 100, crop: "fill" })).toEqual({ width: 100, fit: "cover" });
  });

  it("gravities: auto, faces, compass points (sides as words, diagonals as corner points), center → none", () => {
    const table: Record<string, DeliveryOptions["gravity"]> = {
      auto: "auto",
      "auto:subject": "auto",
      "auto:faces": "face",
      "auto:face": "face",
      face: "face",
      faces: "face",
      "face:center": "face",
      adv_faces: "face",
      north: "top",
      north_east: "1x0",
      north_west: "0x0",
      south: "bottom",
      south_east: "1x1",
      south_west: "0x1",
      east: "right",
      west: "left",
      center: undefined,
      xy_center: undefined,
      custom: undefined,
    };
    for (const [gravity, expected] of Object.entries(table)) {
      const options = optionsOf({ width: 200, height: 200, crop: "fill", gravity });
      expect(options.gravity, `g_${gravity}`).toBe(expected);
      expect(options.fit).toBe("cover");
    }
  });

  it("quality: integers 1–100 kept, q_auto variants and out-of-range values dropped, chroma suffix ignored", () => {
    expect(optionsOf({ quality: 80 })).toEqual({ quality: 80 });
    expect(optionsOf({ quality: "80:420" })).toEqual({ quality: 80 });
    expect(optionsOf({ quality: "auto" })).toEqual({});
    expect(optionsOf({ quality: "auto:good" })).toEqual({});
    expect(optionsOf({ quality: 0 })).toEqual({});
    expect(optionsOf({ quality: 150 })).toEqual({});
  });

  it("formats: f_auto → auto, jpg → jpeg, png/webp/avif/gif kept, others ignored; the extension sets no format", () => {
    const table: Record<string, DeliveryOptions["format"]> = {
      auto: "auto",
      jpg: "jpeg",
      jpeg: "jpeg",
      png: "png",
      webp: "webp",
      avif: "avif",
      gif: "gif",
      tiff: undefined,
      "auto:image": "auto",
    };
    for (const [fmt, format] of Object.entries(table)) {
      expect(optionsOf({ fetch_format: fmt }), `f_${fmt}`).toEqual(format ? { format } : {});
    }
    expect(optionsOf({ format: "webp" })).toEqual({});
  });

  it("dpr: numbers kept, capped at 2; dpr_auto ignored", () => {
    expect(optionsOf({ dpr: 1.5, width: 100 })).toEqual({ dpr: 1.5, width: 100 });
    expect(optionsOf({ dpr: "2.0" })).toEqual({ dpr: 2 });
    expect(optionsOf({ dpr: 3 })).toEqual({ dpr: 2 });
    expect(optionsOf({ dpr: "auto" })).toEqual({});
  });

  it("e_blur: default 100, scaled max(1, round(n/8)), clamped at 2000", () => {
    expect(optionsOf({ effect: "blur" })).toEqual({ blur: 13 });
    expect(optionsOf({ effect: "blur:300" })).toEqual({ blur: 38 });
    expect(optionsOf({ effect: "blur:1" })).toEqual({ blur: 1 });
    expect(optionsOf({ effect: "blur:2000" })).toEqual({ blur: 250 });
    expect(optionsOf({ effect: "blur:9000" })).toEqual({ blur: 250 });
    expect(optionsOf({ effect: "blur_faces:500" })).toEqual({});
  });

  it("e_sharpen: default 100, scaled min(10, max(1, round(n/100)))", () => {
    expect(optionsOf({ effect: "sharpen" })).toEqual({ sharpen: 1 });
    expect(optionsOf({ effect: "sharpen:10" })).toEqual({ sharpen: 1 });
    expect(optionsOf({ effect: "sharpen:400" })).toEqual({ sharpen: 4 });
    expect(optionsOf({ effect: "sharpen:2000" })).toEqual({ sharpen: 10 });
  });

  it("relative, auto and variable widths carry no size, and say so", () => {
    expect(optionsOf({ width: 0.5, crop: "scale" })).toEqual({});
    expect(optionsOf({ width: "auto", crop: "scale" })).toEqual({});
    expect(optionsOf({ variables: [["$w", 10]], width: "$w" })).toEqual({});
    // Cloudinary fills 0.5·W × 300: no Images option gives that box, so no size at all.
    const asset = expectOk(parse(cld("sample", { width: 0.5, height: 300, crop: "fill" }), source));
    expect(asset.options).toEqual({});
    expect(asset.dropped).toEqual([
      { param: "c_fill,h_300,w_0.5", reason: expect.stringMatching(/relative/) },
    ]);
  });

  it("params Images has no word for (radius, border, opacity, other effects, flags) are listed in dropped", () => {
    const url = cld("sample", {
      radius: 20,
      border: "3px_solid_black",
      opacity: 50,
      effect: "sepia",
      flags: "progressive",
    });
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({});
    expect(asset.dropped.map((d) => d.param).sort()).toEqual(
      ["bo_3px_solid_black", "e_sepia", "fl_progressive", "o_50", "r_20"].sort(),
    );
    for (const d of asset.dropped) expect(d.reason).toMatch(/no Images equivalent/);
  });

  it("aspect ratio with one dimension derives the other", () => {
    expect(optionsOf({ aspect_ratio: "16:9", crop: "fill", width: 800, gravity: "auto" })).toEqual({
      width: 800,
      height: 450,
      fit: "cover",
      gravity: "auto",
    });
    expect(optionsOf({ aspect_ratio: 1.5, crop: "fill", height: 200 })).toEqual({
      width: 300,
      height: 200,
      fit: "cover",
    });
  });

  it("named transformations: t_<name> through namedTransformations (keys with or without t_), unknown ignored", () => {
    const thumb = expectOk(parse(cld("sample", { transformation: "thumb" }), source));
    expect(thumb.namedVariant).toBe("thumbnail");
    expect(thumb.options).toEqual({});
    const hero = expectOk(parse(cld("sample", { transformation: ["hero", { width: 3 }] }), source));
    expect(hero.namedVariant).toBe("hero-wide");
    expect(hero.options).toEqual({ width: 3 });
    const unknown = expectOk(parse(cld("sample", { transformation: "nope" }), source));
    expect("namedVariant" in unknown).toBe(false);
    expect(unknown.dropped).toEqual([
      { param: "t_nope", reason: expect.stringMatching(/namedTransformations/) },
    ]);
    const proto = expectOk(parse(cld("sample", { transformation: "constructor" }), source));
    expect("namedVariant" in proto).toBe(false);
    const chained = expectOk(parse(cld("sample", { transformation: ["nope", "thumb"] }), source));
    expect(chained.namedVariant).toBe("thumbnail");
  });
});

describe("cloudinary: a chain is composed as Cloudinary applies it", () => {
  it("c_fill,g_face,w_400,h_300/c_scale,w_200 → the 400×300 face crop at 200×150", () => {
    const url = cld("sample", {
      transformation: [
        { width: 400, height: 300, crop: "fill", gravity: "face" },
        { width: 200, crop: "scale" },
      ],
    });
    expect(url).toContain("/c_fill,g_face,h_300,w_400/c_scale,w_200/");
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({ width: 200, height: 150, fit: "cover", gravity: "face" });
    expect(asset.dropped).toEqual([]);
  });

  it("components without a size do not reset the resize; their q_/f_/e_ still count", () => {
    const options = optionsOf({
      transformation: [
        { width: 400, height: 300, crop: "fill" },
        { quality: 70 },
        { fetch_format: "auto", effect: "sharpen:300" },
      ],
    });
    expect(options).toEqual({
      width: 400,
      height: 300,
      fit: "cover",
      quality: 70,
      format: "auto",
      sharpen: 3,
    });
  });

  it("a last resize that cannot be expressed (relative width) removes the earlier size, and says so", () => {
    expect(
      optionsOf({
        transformation: [
          { width: 400, crop: "fill" },
          { width: 0.5, crop: "scale" },
        ],
      }),
    ).toEqual({});
  });

  it("the last q_/f_ wins, even when it cannot be expressed", () => {
    expect(optionsOf({ transformation: [{ quality: 80 }, { quality: 60 }] })).toEqual({ quality: 60 });
    expect(optionsOf({ transformation: [{ quality: 80 }, { quality: "auto" }] })).toEqual({});
    expect(optionsOf({ transformation: [{ fetch_format: "png" }, { fetch_format: "auto" }] })).toEqual({
      format: "auto",
    });
  });

  it("overlay components (old and layer_apply style) do not change the base image's options", () => {
    expect(optionsOf({ overlay: "logo", width: 100, gravity: "south_east" })).toEqual({});
    const url = cld("sample", {
      transformation: [
        { width: 400, crop: "fill" },
        { overlay: "logo" },
        { width: 50, crop: "scale", effect: "blur:800" },
        { flags: "layer_apply", gravity: "south_east" },
        { quality: 90 },
      ],
    });
    expect(url).toContain("/c_fill,w_400/l_logo/c_scale,e_blur:800,w_50/fl_layer_apply,g_south_east/q_90/");
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({ width: 400, fit: "cover", quality: 90 });
    expect(asset.dropped).toEqual([
      {
        param: "l_logo/c_scale,e_blur:800,w_50/fl_layer_apply,g_south_east",
        reason: expect.stringMatching(/Images has no layers/),
      },
    ]);
  });

  it("nested layers are skipped as a whole", () => {
    const url = cld("sample", {
      transformation: [
        { width: 400, crop: "fill" },
        { overlay: "a" },
        { overlay: "b" },
        { width: 20, crop: "scale" },
        { flags: "layer_apply" },
        { width: 30, crop: "scale" },
        { flags: "layer_apply", gravity: "north" },
        { quality: 90 },
      ],
    });
    expect(url).toContain(
      "/c_fill,w_400/l_a/l_b/c_scale,w_20/fl_layer_apply/c_scale,w_30/fl_layer_apply,g_north/q_90/",
    );
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({ width: 400, fit: "cover", quality: 90 });
    expect(asset.dropped.map((d) => d.param)).toEqual([
      "l_a/l_b/c_scale,w_20/fl_layer_apply/c_scale,w_30/fl_layer_apply,g_north",
    ]);
  });

  it("conditional components and if_…if_end blocks are not applied", () => {
    const url = cld("sample", {
      transformation: [{ if: "w_gt_1000" }, { width: 1000, crop: "scale" }, { if: "end" }, { quality: 70 }],
    });
    expect(url).toContain("/if_w_gt_1000/c_scale,w_1000/if_end/q_70/");
    const asset = expectOk(parse(url, source));
    expect(asset.options).toEqual({ quality: 70 });
    expect(asset.dropped).toEqual([
      { param: "if_w_gt_1000/c_scale,w_1000/if_end", reason: expect.stringMatching(/conditional/) },
    ]);
    expect(optionsOf({ if: "w_gt_100", width: 100, crop: "scale" })).toEqual({});
  });
});

describe("cloudinary: URLs that are not served", () => {
  const unsupported: Array<[string, string]> = [
    ["video upload", cld("clip", { resource_type: "video", width: 300 })],
    ["video SEO (videos/)", cld("clip", { resource_type: "video", url_suffix: "x" })],
    ["raw upload", cld("doc.pdf", { resource_type: "raw" })],
    ["raw SEO (files/)", cld("doc", { resource_type: "raw", url_suffix: "x" })],
    ["image fetch", cld("https://example.com/a.jpg", { type: "fetch", width: 100 })],
    ["image private", cld("secret", { type: "private", sign_url: true, api_secret: "s" })],
    ["image authenticated", cld("secret", { type: "authenticated", sign_url: true, api_secret: "s" })],
    ["private_images SEO", cld("secret", { type: "private", url_suffix: "x" })],
    ["authenticated_images SEO", cld("secret", { type: "authenticated", url_suffix: "x" })],
    ["facebook", cld("4", { type: "facebook" })],
  ];
  for (const [name, url] of unsupported) {
    it(`${name} → unsupported_asset (${url.replace(/\?.*/, "")})`, () => {
      const error = expectError(parse(url, source), "unsupported_asset");
      expect(error.message).toMatch(/image\/upload/);
    });
  }

  it("another cloud's URL → unparseable_url naming both clouds", () => {
    const error = expectError(
      parse("https://res.cloudinary.com/other/image/upload/sample.jpg", source),
      "unparseable_url",
    );
    expect(error.message).toContain("'other'");
    expect(error.message).toContain("'demo'");
  });

  it("a path that is not a delivery path → unparseable_url (without cloudName or rootPath, no root-path form)", () => {
    const bare = makeSource("cloudinary", {});
    expectError(parse("https://img.example.com/demo/foo/bar.jpg", bare), "unparseable_url");
    expectError(parse("https://img.example.com/foo.jpg", bare), "unparseable_url");
    expectError(parse("https://res.cloudinary.com/demo/image", source), "unparseable_url");
    expectError(parse("https://res.cloudinary.com/", source), "unparseable_url");
  });

  it("no public id → invalid_key", () => {
    expectError(parse("https://res.cloudinary.com/demo/image/upload/", source), "invalid_key");
    expectError(parse("https://res.cloudinary.com/demo/iu/w_100/", source), "invalid_key");
    expectError(
      parse("https://res.cloudinary.com/demo/image/upload/s--abcdefgh--/v1//x.jpg", source),
      "invalid_key",
    );
  });

  it("'..' segments, also encoded or produced by an encoded slash → invalid_key", () => {
    const url = new URL("https://res.cloudinary.com/demo/image/upload/v1/a/b.jpg");
    expectError(parseCloudinaryUrl(url, "/demo/image/upload/v1/a/../b.jpg", source), "invalid_key");
    expectError(parseCloudinaryUrl(url, "/demo/image/upload/v1/%2e%2e/b.jpg", source), "invalid_key");
    expectError(
      parse("https://res.cloudinary.com/demo/image/upload/v1/a%2F..%2Fb.jpg", source),
      "invalid_key",
    );
  });

  it("NUL and control characters → invalid_key", () => {
    expectError(parse("https://res.cloudinary.com/demo/image/upload/a%00b.jpg", source), "invalid_key");
    expectError(parse("https://res.cloudinary.com/demo/image/upload/a%0Ab.jpg", source), "invalid_key");
    expectError(parse("https://res.cloudinary.com/demo/image/upload/a%7Fb.jpg", source), "invalid_key");
  });

  it("malformed escapes → unparseable_url, never a throw", () => {
    expectError(parse("https://res.cloudinary.com/demo/image/upload/a%zzb.jpg", source), "unparseable_url");
    expectError(parse("https://res.cloudinary.com/demo/image/upload/a%E6%97.jpg", source), "unparseable_url");
    expectError(parse("https://res.cloudinary.com/demo/images/sample/bad%ff.jpg", source), "unparseable_url");
  });

  it("a public id over 1024 bytes → invalid_key; exactly 1024 bytes is accepted", () => {
    const ok = "é".repeat(512);
    expect(expectOk(parse(cld(ok, { format: "jpg" }), source)).key).toBe(ok);
    expectError(parse(cld(ok + "x", { format: "jpg" }), source), "invalid_key");
  });
});
