import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { flexibleVariant } from "../../src/delivery/options";
import { MAX_COMPONENTS } from "../../src/parsers/cloudinary/path";
import { expectError, expectOk, makeSource, parse, TRICKY_NAMES } from "./helpers";

/** Issue 9 for Cloudinary: root-path and private-CDN URLs, chains, and every option Images has. */

type UrlOptions = Record<string, unknown>;
const demo = makeSource("cloudinary", { cloudName: "demo" }, { origin: "https://res.cloudinary.com/demo" });

function cld(publicId: string, options: UrlOptions = {}): string {
  return cloudinary.url(publicId.replaceAll("%", "%25"), { cloud_name: "demo", secure: true, ...options });
}

function parsed(options: UrlOptions, source = demo, publicId = "sample") {
  return expectOk(parse(cld(publicId, options), source));
}

describe("cloudinary: root-path and private-CDN URLs (use_root_path, private_cdn, shorten)", () => {
  it("use_root_path with options.cloudName: res.cloudinary.com/demo/[transformations/][v…/]<public id>", () => {
    for (const publicId of TRICKY_NAMES) {
      for (const options of [
        {},
        { width: 100, crop: "fill", format: "jpg" },
        { version: 42 },
        { sign_url: true, api_secret: "s" },
      ]) {
        const url = cld(publicId, { use_root_path: true, ...options });
        expect(url).not.toContain("/image/upload/");
        const asset = expectOk(parse(url, demo));
        expect(asset.key, url).toBe(publicId);
        expect(asset.originPath.startsWith("image/upload/")).toBe(true);
      }
    }
    expect(parsed({ use_root_path: true, width: 100, height: 50, crop: "fill" }).options).toEqual({
      width: 100,
      height: 50,
      fit: "cover",
    });
  });

  it("private CDN: <cloud>-res.cloudinary.com, long, short (iu) and root-path forms, even without cloudName", () => {
    const bare = makeSource("cloudinary", {});
    for (const options of [{}, { shorten: true }, { use_root_path: true }]) {
      const url = cld("folder/photo", { private_cdn: true, width: 120, ...options });
      expect(new URL(url).hostname).toBe("demo-res.cloudinary.com");
      const asset = expectOk(parse(url, bare));
      expect(asset.key, url).toBe("folder/photo");
      expect(asset.options).toEqual({ width: 120 });
    }
  });

  it("a custom domain (secure_distribution) in root-path form needs options.rootPath", () => {
    const url = cld("sample", {
      use_root_path: true,
      private_cdn: true,
      secure_distribution: "images.example.com",
      width: 80,
    });
    expect(url).toMatch(/^https:\/\/images\.example\.com\/w_80\/sample/);
    expect(expectOk(parse(url, makeSource("cloudinary", { rootPath: true }))).key).toBe("sample");
    // Without it, /w_80/sample cannot be told from a typo or another cloud.
    expectError(parse(url, makeSource("cloudinary", {})), "unparseable_url");
  });

  it("rootPath on the shared host: the first segment is still the cloud", () => {
    const url = cld("a/b", { use_root_path: true, width: 10 });
    expect(expectOk(parse(url, makeSource("cloudinary", { rootPath: true }))).key).toBe("a/b");
  });

  it("another cloud's root-path or private-CDN URL is refused, naming both clouds", () => {
    for (const url of [
      "https://res.cloudinary.com/other/w_10/sample",
      "https://other-res.cloudinary.com/w_10/sample",
      "https://other-res.cloudinary.com/image/upload/sample",
    ]) {
      const error = expectError(parse(url, demo), "unparseable_url");
      expect(error.message, url).toContain("'other'");
      expect(error.message, url).toContain("'demo'");
    }
  });

  it("a root-path URL whose public id starts with a resource word is read in the long form", () => {
    expectError(parse("https://res.cloudinary.com/demo/video/clip", demo), "unsupported_asset");
  });
});

describe("cloudinary: chains are composed as Cloudinary applies them (issue 9 examples)", () => {
  it("c_fill,h_399,w_399/a_17,e_sepia,w_100 is a 100×100 square; the angle and sepia are listed", () => {
    const asset = parsed({
      transformation: [
        { crop: "fill", height: 399, width: 399 },
        { angle: 17, effect: "sepia", width: 100 },
      ],
    });
    expect(asset.options).toEqual({ width: 100, height: 100, fit: "cover" });
    expect(asset.dropped.map((d) => d.param).sort()).toEqual(["a_17", "e_sepia"]);
  });

  it("c_fill,w_1200,h_627,g_center/c_limit,w_1200 keeps the 627 height", () => {
    const asset = parsed({
      transformation: [
        { crop: "fill", width: 1200, height: 627, gravity: "center" },
        { crop: "limit", width: 1200 },
      ],
    });
    expect(asset.options).toEqual({ width: 1200, height: 627, fit: "cover" });
    expect(asset.dropped).toEqual([]);
  });

  it("fits and limits after a fill keep the fill's crop at the smaller size", () => {
    expect(
      parsed({
        transformation: [
          { crop: "fill", width: 400, height: 300, gravity: "north" },
          { crop: "fit", width: 200, height: 200 },
        ],
      }).options,
    ).toEqual({ width: 200, height: 150, fit: "cover", gravity: "top" });
  });

  it("limits after a fit shrink its box; a fill after a limit is the fill alone", () => {
    expect(
      parsed({
        transformation: [
          { crop: "fit", width: 500, height: 500 },
          { crop: "limit", height: 300 },
        ],
      }).options,
    ).toEqual({ width: 500, height: 300, fit: "contain" });
    expect(
      parsed({
        transformation: [
          { crop: "limit", width: 800 },
          { crop: "fill", width: 100, height: 100, gravity: "face" },
        ],
      }).options,
    ).toEqual({ width: 100, height: 100, fit: "cover", gravity: "face" });
  });

  it("a crop of a crop cannot be one Images resize: the last decides, and it is listed", () => {
    const asset = parsed({
      transformation: [
        { crop: "fill", width: 400, height: 300 },
        { crop: "fill", width: 100, height: 100 },
      ],
    });
    expect(asset.options).toEqual({ width: 100, height: 100, fit: "cover" });
    expect(asset.dropped).toEqual([
      { param: "c_fill,h_100,w_100", reason: expect.stringMatching(/cannot be composed exactly/) },
    ]);
  });
});

describe("cloudinary: every option Images has", () => {
  it("a_90 after a fill: Images rotates first, so the box and the gravity turn with it", () => {
    const asset = parsed({ angle: 90, width: 400, height: 300, crop: "fill", gravity: "north" });
    expect(asset.options).toEqual({ width: 300, height: 400, fit: "cover", gravity: "right", rotate: 90 });
    expect(parsed({ angle: -90 }).options).toEqual({ rotate: 270 });
    expect(parsed({ angle: 180 }).options).toEqual({ rotate: 180 });
  });

  it("a_hflip / a_vflip → flip; a mirror turns a gravity's side; other angles are listed", () => {
    expect(parsed({ angle: "hflip" }).options).toEqual({ flip: "h" });
    expect(parsed({ angle: "vflip" }).options).toEqual({ flip: "v" });
    expect(
      parsed({ width: 100, height: 100, crop: "fill", gravity: "west", angle: "hflip" }).options,
    ).toEqual({
      width: 100,
      height: 100,
      fit: "cover",
      gravity: "right",
      flip: "h",
    });
    const asset = parsed({ angle: ["vflip", 45] });
    expect(asset.options).toEqual({ flip: "v" });
    expect(asset.dropped).toEqual([{ param: "a_45", reason: expect.stringMatching(/90, 180 or 270/) }]);
  });

  it("ar_ with a crop mode and one dimension derives the other", () => {
    expect(parsed({ aspect_ratio: "16:9", crop: "fill", width: 800, gravity: "auto" }).options).toEqual({
      width: 800,
      height: 450,
      fit: "cover",
      gravity: "auto",
    });
  });

  it("b_rgb:<hex> and b_<colour name> → background, written %23-escaped in the variant", () => {
    const hex = parsed({ background: "rgb:ff000080", crop: "pad", width: 100, height: 100 });
    expect(hex.options).toEqual({ width: 100, height: 100, fit: "pad", background: "#ff000080" });
    expect(flexibleVariant(hex.options)).toBe("w=100,h=100,fit=pad,background=%23ff000080");
    expect(parsed({ background: "lightblue" }).options).toEqual({ background: "lightblue" });
    expect(parsed({ background: "notacolour" }).dropped.map((d) => d.param)).toEqual(["b_notacolour"]);
  });

  it("e_grayscale, e_saturation, e_brightness, e_contrast, e_gamma → factors (1 + level/100), multiplied along a chain", () => {
    expect(parsed({ effect: "grayscale" }).options).toEqual({ saturation: 0 });
    expect(parsed({ effect: "saturation:-50" }).options).toEqual({ saturation: 0.5 });
    expect(parsed({ effect: "saturation" }).options).toEqual({ saturation: 1.8 });
    expect(parsed({ effect: "brightness:30" }).options).toEqual({ brightness: 1.3 });
    expect(parsed({ effect: "contrast:20" }).options).toEqual({ contrast: 1.2 });
    expect(parsed({ effect: "gamma:50" }).options).toEqual({ gamma: 1.5 });
    expect(
      parsed({ transformation: [{ effect: "brightness:50" }, { effect: "brightness:20" }] }).options,
    ).toEqual({
      brightness: 1.8,
    });
  });

  it("e_trim[:tolerance][:colour] → trim=border (the tolerance has no Images scale: listed)", () => {
    expect(parsed({ effect: "trim" }).options).toEqual({ trim: { border: true } });
    const asset = parsed({ effect: "trim:20:white" });
    expect(asset.options).toEqual({ trim: { border: true, color: "white" } });
    expect(asset.dropped).toEqual([{ param: "e_trim:20:white", reason: expect.stringMatching(/tolerance/) }]);
    expect(flexibleVariant(asset.options)).toBe("trim=border,trim.border.color=white");
  });

  it("c_crop with pixel x_/y_ (or g_north_west) as the first resize → Images' trim rectangle", () => {
    const asset = parsed({ crop: "crop", x: 10, y: 20, width: 300, height: 200 });
    expect(asset.options).toEqual({ trim: { top: 20, left: 10, width: 300, height: 200 } });
    expect(asset.dropped).toEqual([]);
    expect(flexibleVariant(asset.options)).toBe("trim.top=20,trim.left=10,trim.width=300,trim.height=200");
    expect(parsed({ crop: "crop", gravity: "north_west", width: 300, height: 200 }).options).toEqual({
      trim: { top: 0, left: 0, width: 300, height: 200 },
    });
    const thenScaled = parsed({
      transformation: [
        { crop: "crop", x: 10, y: 20, width: 300, height: 200 },
        { crop: "scale", width: 150 },
      ],
    });
    expect(thenScaled.options).toEqual({
      width: 150,
      fit: "squeeze",
      trim: { top: 20, left: 10, width: 300, height: 200 },
    });
  });

  it("c_crop at a gravity is Images' crop (the same size), listed as approximated", () => {
    const asset = parsed({ crop: "crop", width: 300, height: 200, gravity: "face" });
    expect(asset.options).toEqual({ width: 300, height: 200, fit: "crop", gravity: "face" });
    expect(asset.dropped).toEqual([{ param: "c_crop", reason: expect.stringMatching(/without scaling/) }]);
  });
});

describe("cloudinary: what cannot be carried is listed, never a failed URL", () => {
  it("malformed values (w_abc, ar_0) are dropped with a reason", () => {
    const bad = parsed({ width: "abc" });
    expect(bad.options).toEqual({});
    expect(bad.dropped).toEqual([{ param: "w_abc", reason: "malformed size" }]);
    const ratio = parsed({ aspect_ratio: "0", width: 100, crop: "fill" });
    expect(ratio.options).toEqual({ width: 100, fit: "cover" });
    expect(ratio.dropped).toEqual([{ param: "ar_0", reason: "malformed aspect ratio" }]);
  });

  it("a text overlay, its position and an if/else block are each listed once; the base image keeps its options", () => {
    const asset = parsed({
      transformation: [
        { width: 300, height: 200, crop: "fill" },
        { overlay: { font_family: "Arial", font_size: 40, text: "Hello" }, gravity: "south", y: 20 },
        { if: "ar_gt_1.0", width: 200, crop: "scale" },
        { if: "else", height: 200, crop: "scale" },
        { if: "end" },
      ],
    });
    expect(asset.options).toEqual({ width: 300, height: 200, fit: "cover" });
    expect(asset.dropped).toEqual([
      { param: "g_south,l_text:Arial_40:Hello,y_20", reason: expect.stringMatching(/no layers/) },
      {
        param: "if_ar_gt_1.0,c_scale,w_200/if_else,c_scale,h_200/if_end",
        reason: expect.stringMatching(/conditional/),
      },
    ]);
  });

  it("dpr_3 is capped at 2 and says so; dpr_auto and z_ are listed", () => {
    const capped = parsed({ dpr: 3, width: 100 });
    expect(capped.options).toEqual({ width: 100, dpr: 2 });
    expect(capped.dropped).toEqual([{ param: "dpr_3", reason: "dpr capped at 2" }]);
    expect(parsed({ dpr: "auto" }).dropped.map((d) => d.param)).toEqual(["dpr_auto"]);
    expect(
      parsed({ zoom: 1.5, crop: "thumb", gravity: "face", width: 100, height: 100 }).dropped.map(
        (d) => d.param,
      ),
    ).toEqual(["z_1.5"]);
  });

  it(`more than ${MAX_COMPONENTS} transformation components: a 404 with the reason; exactly ${MAX_COMPONENTS} are read`, () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => ({ quality: (i % 100) + 1 }));
    expect(parsed({ transformation: chain(MAX_COMPONENTS) }).options).toEqual({ quality: MAX_COMPONENTS });
    const error = expectError(
      parse(cld("sample", { transformation: chain(MAX_COMPONENTS + 1) }), demo),
      "unparseable_url",
    );
    expect(error.message).toMatch(/more than 64 transformation components/);
  });
});
