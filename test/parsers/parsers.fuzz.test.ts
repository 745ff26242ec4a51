import ImgixClient from "@imgix/js-core";
import { v2 as cloudinary } from "cloudinary";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLegacyUrl } from "../../src/parsers";
import { validateKey } from "../../src/parsers/key";
import type { ParseResult } from "../../src/parsers/types";
import { stepsCounted } from "../../src/parsers/work";
import type { Source } from "../../src/sources/types";
import { expectOk, makeSource, parse } from "./helpers";

/**
 * Property-based fuzz of the URL parsers (issue 8 point 9): seeded and bounded, so every run tries
 * the same few thousand URLs in a few seconds.
 */

const SEED = 0x1eaf;

/** Path pieces that exercise the grammars, mixed with arbitrary text. */
const TOKENS = [
  "image",
  "upload",
  "iu",
  "images",
  "video",
  "demo",
  "v1",
  "v1712345678",
  "s--abcdEFGH--",
  "w_100",
  "h_0",
  "w_abc",
  "c_fill,g_face,w_400,h_300",
  "ar_0,c_fill,w_10",
  "ar_16:9,c_lfill,w_300",
  "a_90",
  "a_hflip.45",
  "b_rgb:ff0000",
  "e_trim:10:white",
  "c_crop,x_10,y_20,w_30,h_40",
  "l_logo",
  "l_text:Arial_20:hi",
  "fl_layer_apply",
  "if_w_gt_100",
  "if_else",
  "if_end",
  "t_thumb",
  "$w_100",
  "..",
  ".",
  "%2e%2e",
  "%00",
  "%zz",
  "%E6%97%A5",
  "%ff",
  "a+b",
  "x.jpg",
  "",
];

const segment = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const rest = fc.array(segment, { maxLength: 12 }).map((segs) => "/" + segs.join("/"));

const QUERY_NAMES = [
  "w",
  "h",
  "fit",
  "crop",
  "ar",
  "rect",
  "rot",
  "flip",
  "bg",
  "sat",
  "trim",
  "dpr",
  "q",
  "v",
  "ixlib",
  "s",
];
const queryPair = fc.tuple(
  fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 6 })),
  fc.oneof(
    fc.constantFrom(
      "100",
      "0",
      "-5",
      "0.5",
      "1e9",
      "crop",
      "faces,entropy",
      "1,2,3,4",
      "90",
      "abc",
      "%zz",
      "",
    ),
    fc.string({ maxLength: 8 }),
  ),
);
const query = fc
  .array(queryPair, { maxLength: 8 })
  .map((pairs) =>
    pairs.length === 0 ? "" : "?" + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&"),
  );

const HOSTS = [
  "img.example.com",
  "res.cloudinary.com",
  "demo-res.cloudinary.com",
  "other-res.cloudinary.com",
  "b.s3.amazonaws.com",
  "s3.eu-west-1.amazonaws.com",
  "legacy.bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
  "bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
];

const SOURCES: Source[] = [
  makeSource("cloudinary", { cloudName: "demo", namedTransformations: { t_thumb: "thumbnail" } }),
  makeSource("cloudinary", {}),
  makeSource("cloudinary", { rootPath: true }),
  makeSource("imgix"),
  makeSource("s3", { bucket: "b" }),
  makeSource("s3", { bucket: "b", pathStyle: true }),
  makeSource("s3", {}, { origin: null }),
  makeSource("http", { keepQuery: ["v"] }),
];

function checkResult(result: ParseResult, what: string): void {
  if (!result.ok) {
    expect(["unsupported_asset", "unparseable_url", "invalid_key"], what).toContain(result.reason);
    expect(result.message.length, what).toBeGreaterThan(10);
    return;
  }
  expect(validateKey(result.key), what).toBeNull();
  expect(result.originPath, what).not.toMatch(/[\s#]/);
  for (const [name, value] of Object.entries(result.options)) {
    if (name === "trim") expect(typeof value, what).toBe("object");
    else expect(typeof value === "string" || Number.isFinite(value), `${what}: ${name}`).toBe(true);
  }
  for (const d of result.dropped) {
    expect(d.param.length, what).toBeLessThanOrEqual(100);
    expect(d.reason.length, what).toBeGreaterThan(5);
  }
}

describe("parsers fuzz: any URL", () => {
  it("never throws; a parsed key obeys the key rules, options are well-formed, a refusal names a reason", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SOURCES),
        fc.constantFrom(...HOSTS),
        rest,
        query,
        (source, host, path, q) => {
          const url = new URL(`https://${host}/x${q}`);
          checkResult(
            parseLegacyUrl(url, path, source),
            `${source.kind} ${JSON.stringify(source.options)} ${host}${path}${q}`,
          );
        },
      ),
      { seed: SEED, numRuns: 4000 },
    );
  });

  it("costs work linear in the URL's length (loop iterations counted, not time)", () => {
    // Long URLs built from repeated pieces, as an attacker would send them (a piece that ends
    // within a segment is closed by a last param, so the segment is read as a component).
    const piece = fc.constantFrom(
      "l_a/",
      "w_1,",
      "if_x/",
      "fl_layer_apply/",
      "a/",
      "%41/",
      "c_fill,w_1/",
      "e_blur,",
    );
    const long = fc.tuple(fc.constantFrom(...SOURCES), piece, fc.integer({ min: 1, max: 2000 }), query);
    fc.assert(
      fc.property(long, ([source, p, n, q]) => {
        const path = "/demo/image/upload/" + p.repeat(n) + (p.endsWith(",") ? "q_1/" : "") + "sample.jpg";
        const url = new URL(`https://img.example.com/x${q}&${"k=v&".repeat(n % 300)}`);
        const before = stepsCounted();
        parseLegacyUrl(url, path, source);
        const steps = stepsCounted() - before;
        const length = path.length + url.search.length;
        expect(steps, `${source.kind} ${p}×${n}`).toBeLessThanOrEqual(2 * length + 50);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("'l_a/' × 3900 (issue 8) is refused after at most 65 components, with a reason", () => {
    const source = SOURCES[0]!;
    const path = "/demo/image/upload/" + "l_a/".repeat(3900) + "sample";
    const before = stepsCounted();
    const result = parseLegacyUrl(new URL("https://img.example.com/x"), path, source);
    expect(stepsCounted() - before).toBeLessThan(200);
    expect(result).toMatchObject({ ok: false, reason: "unparseable_url" });
    expect(!result.ok && result.message).toMatch(/more than 64 transformation components/);
  });
});

describe("parsers fuzz: every transformation variant of an asset gives the same key", () => {
  /** Public ids as people name them: folders, spaces, punctuation, non-ASCII; no dot (an extension). */
  const name = fc
    .stringMatching(/^[A-Za-z0-9 _\-(),+!'é日本]{1,12}$/)
    .filter((s) => s.trim() === s && s !== "");
  const publicId = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
  const component = fc.record(
    {
      width: fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(0.5, "auto")),
      height: fc.integer({ min: 1, max: 4000 }),
      crop: fc.constantFrom("fill", "lfill", "scale", "fit", "limit", "pad", "crop", "thumb"),
      gravity: fc.constantFrom("face", "north_east", "auto", "center"),
      angle: fc.constantFrom(90, 17, "hflip"),
      effect: fc.constantFrom("blur:300", "sepia", "grayscale", "trim"),
      overlay: fc.constantFrom("logo", "text:Arial_20:hi"),
      quality: fc.constantFrom(80, "auto"),
      fetch_format: fc.constantFrom("auto", "webp"),
      dpr: fc.constantFrom(1, 2, 3),
    },
    { requiredKeys: [] },
  );
  const shape = fc.record(
    {
      transformation: fc.array(component, { maxLength: 5 }),
      format: fc.constantFrom("jpg", "png", "webp"),
      version: fc.integer({ min: 1, max: 2_000_000_000 }),
      shorten: fc.boolean(),
      url_suffix: fc.constantFrom("seo-name"),
      sign_url: fc.boolean(),
      use_root_path: fc.boolean(),
      private_cdn: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it("Cloudinary: SDK URLs (any chain, format, version, short, SEO, signed, root-path or private-CDN form)", () => {
    const source = makeSource("cloudinary", { cloudName: "demo" });
    fc.assert(
      fc.property(publicId, shape, (id, options) => {
        if (options.use_root_path) delete options.url_suffix; // root path + SEO suffix is ambiguous (see path.ts)
        if (options.use_root_path) delete options.shorten;
        const url = cloudinary.url(id, { cloud_name: "demo", secure: true, api_secret: "s", ...options });
        expect(expectOk(parse(url, source)).key, url).toBe(id);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it("imgix: js-core URLs with any params, signed or not", () => {
    const source = makeSource("imgix");
    const signing = new ImgixClient({ domain: "demo.imgix.net", secureURLToken: "t0k3n" });
    const value = fc.oneof(fc.integer({ min: -100, max: 4000 }), fc.string({ maxLength: 10 }));
    const params = fc.dictionary(
      fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ minLength: 1, maxLength: 6 })),
      value,
      {
        maxKeys: 8,
      },
    );
    fc.assert(
      fc.property(publicId, params, (path, p) => {
        const url = signing.buildURL(path + ".jpg", p);
        expect(expectOk(parse(url, source)).key, url).toBe(path + ".jpg");
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
