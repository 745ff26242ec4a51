import type { DeliveryOptions, Fit, Format, Gravity } from "../delivery/options";
import type { CloudinaryOptions } from "../sources/types";
import { validateKey } from "./key";
import { parseAspectRatio, parseDigits, toBlur, toDpr } from "./numbers";
import { fail, malformedEscape, success } from "./result";
import { decodeOnce, encodeSegments, stripLeadingSlash } from "./url-encoding";
import type { LegacyParser, ParseError, ParseResult } from "./types";

/**
 * Cloudinary delivery URLs:
 *
 *   [/<cloud>]/<resource>/<type>/[s--SIG--/][<transformation>/…][v<digits>/]<public_id>[.<ext>]
 *   [/<cloud>]/iu/…                      (`shorten: true`: image/upload)
 *   [/<cloud>]/images/…/<public_id>/<seo suffix>[.<ext>]   (`url_suffix`: image/upload)
 *
 * Only image/upload is served. The key is the public id (decoded once) without a known image
 * extension, so every size/format of an asset shares one key. The query (`_a`, …) is ignored.
 *
 * Decisions where the SPEC is silent (see also `translate` below):
 * - Cloud segment: skipped when it equals `options.cloudName`. When `cloudName` is unset, a first
 *   segment that is not a resource word but is followed by one is taken as the cloud name (so
 *   `res.cloudinary.com/<cloud>/image/upload/…` works without configuration). When `cloudName`
 *   is set and the URL names another cloud, the URL is refused (`unparseable_url`).
 * - Root-path URLs (`use_root_path`, `/<cloud>/<public_id>`) are not recognised: they cannot be
 *   told apart from a wrong cloud name or a typo, so they fail with `unparseable_url`.
 * - A segment is a transformation component only when every comma-separated param starts with a
 *   real Cloudinary parameter name (`w_`, `c_`, `fl_`, `$var_`, … from the SDK's list), not any
 *   `[a-z]{1,3}_`: folders such as `my_photos/` or `img_2020/` stay part of the public id. The
 *   last path segment is always the public id (and, in the `images/` form, when two or more
 *   segments remain, the last one is the SEO suffix; a single remaining segment is the public id).
 * - An `images/` URL's extension sits on the SEO suffix; it is carried to the origin path when it
 *   is a known image extension and dropped otherwise.
 */

const SIGNATURE = /^s--[A-Za-z0-9_-]{1,64}--$/;
const VERSION = /^v\d+$/;

/** Transformation parameter names Cloudinary knows (from the SDK's transformation builder). */
// prettier-ignore
const PARAM_NAMES = new Set([
  "a", "ac", "af", "ar", "b", "bo", "br", "c", "co", "cs", "d", "dl", "dn", "dpr", "du", "e", "eo",
  "f", "fl", "fn", "fps", "g", "h", "if", "ki", "l", "o", "p", "pg", "q", "r", "so", "sp", "t",
  "u", "vc", "vs", "w", "x", "y", "z",
]);
const VARIABLE_PARAM = /^\$[A-Za-z][A-Za-z0-9]*_/;

/** Extensions that are a delivery format, not part of the public id (matched case-insensitively). */
// prettier-ignore
const IMAGE_EXTENSIONS = new Set([
  "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "avif", "heic", "heif", "svg", "bmp", "tif",
  "tiff", "ico", "jxl", "jp2", "jxr", "wdp", "hdp", "psd", "pdf", "eps", "ai", "tga", "dng", "arw",
  "cr2", "cr3", "djvu", "flif",
]);

const FITS: Record<string, Fit> = {
  fill: "cover",
  lfill: "cover",
  fill_pad: "cover",
  fit: "contain",
  limit: "scale-down",
  scale: "squeeze",
  crop: "crop",
  thumb: "crop",
  pad: "pad",
  lpad: "pad",
  mpad: "pad",
};

const FORMATS: Record<string, Format> = {
  auto: "auto",
  jpg: "jpeg",
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
  avif: "avif",
  gif: "gif",
};

/**
 * Compass gravities. Images has one side per gravity, so a diagonal keeps its vertical side:
 * `north_east`/`north_west` → top, `south_east`/`south_west` → bottom. A diagonal is mostly used
 * to keep a head or a horizon in frame, which the vertical side does; `center` → no gravity.
 */
const COMPASS: Record<string, Gravity | undefined> = {
  north: "top",
  north_east: "top",
  north_west: "top",
  south: "bottom",
  south_east: "bottom",
  south_west: "bottom",
  east: "right",
  west: "left",
};
const FACE_GRAVITY = /^(?:adv_)?faces?(?::|$)/;

const LAYER_PARAM = /(?:^|,)[lu]_/;
const BLUR = /^blur(?::(\d{1,9}))?$/;
const SHARPEN = /^sharpen(?::(\d{1,9}))?$/;
const QUALITY = /^(\d{1,3})(?::[a-z0-9_]+)?$/;

const IMAGE_UPLOAD = "image/upload/";

export const parseCloudinaryUrl: LegacyParser = (_url, rest, source): ParseResult => {
  const options: CloudinaryOptions = source.options ?? {};
  const segs = stripLeadingSlash(rest).split("/");
  const n = segs.length;

  // 1. Cloud name and resource/type.
  let i = 0;
  const first = segs[0]!;
  if (options.cloudName && first === options.cloudName) {
    i = 1;
  } else if (!isResourceWord(first) && n > 1 && isResourceWord(segs[1]!)) {
    if (options.cloudName) {
      return fail(
        "unparseable_url",
        `The URL is for Cloudinary cloud ${quote(first)}, but this source serves cloud ${quote(options.cloudName)}.`,
      );
    }
    i = 1;
  }
  const resource = segs[i];
  let j: number;
  let seo = false;
  switch (resource) {
    case "image": {
      const type = segs[i + 1];
      if (type === undefined || type === "") {
        return fail("unparseable_url", "The Cloudinary URL has no delivery type after 'image/'.");
      }
      if (type !== "upload") return unsupportedType(type);
      j = i + 2;
      break;
    }
    case "iu":
      j = i + 1;
      break;
    case "images":
      j = i + 1;
      seo = true;
      break;
    case "video":
    case "videos":
      return fail(
        "unsupported_asset",
        "Cloudinary video URLs are not served by this gateway; only image/upload images are.",
      );
    case "raw":
    case "files":
      return fail(
        "unsupported_asset",
        "Cloudinary raw-file URLs are not served by this gateway; only image/upload images are.",
      );
    case "private_images":
      return unsupportedType("private");
    case "authenticated_images":
      return unsupportedType("authenticated");
    default:
      return fail(
        "unparseable_url",
        "Not a Cloudinary delivery path: expected [/<cloud>]/image/upload/…, /iu/… or /images/… " +
          "followed by [transformations/][v<version>/]<public_id>.",
      );
  }

  // 2. Signature, transformation components, version. The last segment is always the public id.
  if (j < n - 1 && SIGNATURE.test(segs[j]!)) j++;
  const firstComponent = j;
  while (j < n - 1 && isTransformation(segs[j]!)) j++;
  const endComponents = j;
  if (j < n - 1 && VERSION.test(segs[j]!)) j++;
  if (j >= n) return fail("invalid_key", "The Cloudinary URL has no public id.");

  // 3. Public id (and SEO suffix) → key, extension.
  let idEnd = n;
  let suffix: string | undefined;
  if (seo && n - j >= 2) {
    idEnd = n - 1;
    suffix = segs[n - 1];
  }
  const rawId = idEnd - j === 1 ? segs[j]! : segs.slice(j, idEnd).join("/");
  const decoded = decodeOnce(rawId);
  if (decoded === null) return malformedEscape("public id");
  let key = decoded;
  let ext = "";
  if (suffix !== undefined) {
    const decodedSuffix = decodeOnce(suffix);
    if (decodedSuffix === null) return malformedEscape("SEO suffix");
    const dot = decodedSuffix.lastIndexOf(".");
    if (dot > 0) {
      const e = decodedSuffix.slice(dot + 1);
      if (IMAGE_EXTENSIONS.has(e.toLowerCase())) ext = e;
    }
  } else {
    const dot = decoded.lastIndexOf(".");
    if (dot > decoded.lastIndexOf("/") + 1) {
      const e = decoded.slice(dot + 1);
      if (IMAGE_EXTENSIONS.has(e.toLowerCase())) {
        ext = e;
        key = decoded.slice(0, dot);
      }
    }
  }
  const invalid = validateKey(key);
  if (invalid) return invalid;

  // 4. Transformations → delivery options.
  const out: DeliveryOptions = {};
  const named = options.namedTransformations;
  const namedVariant =
    endComponents > firstComponent
      ? translate(
          segs,
          firstComponent,
          endComponents,
          out,
          typeof named === "object" && named !== null ? named : undefined,
        )
      : undefined;

  return success(key, out, IMAGE_UPLOAD + encodeSegments(key) + (ext ? "." + ext : ""), namedVariant);
};

function isResourceWord(seg: string): boolean {
  switch (seg) {
    case "image":
    case "video":
    case "raw":
    case "iu":
    case "images":
    case "videos":
    case "files":
    case "private_images":
    case "authenticated_images":
      return true;
    default:
      return false;
  }
}

function unsupportedType(type: string): ParseError {
  return fail(
    "unsupported_asset",
    `Cloudinary '${clip(type)}' delivery URLs are not served by this gateway; only image/upload images are.`,
  );
}

function quote(s: string): string {
  return `'${clip(s)}'`;
}

function clip(s: string): string {
  return s.length > 64 ? s.slice(0, 64) + "…" : s;
}

/** A segment is a transformation component when every `,`-separated param is a Cloudinary param. */
function isTransformation(seg: string): boolean {
  if (seg.length === 0) return false;
  let start = 0;
  for (;;) {
    const comma = seg.indexOf(",", start);
    const end = comma === -1 ? seg.length : comma;
    if (!isParam(seg, start, end)) return false;
    if (comma === -1) return true;
    start = comma + 1;
  }
}

function isParam(seg: string, start: number, end: number): boolean {
  if (seg.charCodeAt(start) === 0x24 /* $ */) return VARIABLE_PARAM.test(seg.slice(start, end));
  const underscore = seg.indexOf("_", start);
  if (underscore === -1 || underscore >= end || underscore - start > 3) return false;
  return PARAM_NAMES.has(seg.slice(start, underscore));
}

/**
 * Translates the transformation components `segs[from..to)` into `out`; returns the named variant.
 *
 * Rules (the SPEC says only "the last resize in a chain wins"):
 * - A component that has a `w_` or `h_` param is a resize. The last resize in the chain decides
 *   width, height, fit (its `c_`) and gravity (its `g_`) together: its values replace every
 *   earlier ones, including when it leaves one of them out (`c_fill,g_face,w_400,h_300/c_scale,w_200`
 *   → `{ width: 200, fit: "squeeze" }`). When the last resize has neither an absolute width nor
 *   height (`w_auto`, relative `w_0.5`, a `$variable`), no resize is emitted at all: the size it
 *   asks for cannot be expressed, and an earlier size would be wrong.
 * - `c_`/`g_` in a component without `w_`/`h_` are ignored (a crop mode or gravity needs a size).
 * - `ar_<w:h>` in a resize that has exactly one absolute dimension derives the other one
 *   (`ar_16:9,c_fill,w_800` → 800×450), as Cloudinary does.
 * - `q_`, `f_`, `dpr_`, `e_blur`, `e_sharpen`: the last occurrence wins; a value that cannot be
 *   expressed (`q_auto`, `f_tiff`, `dpr_auto`) removes the option. `q_80:420` → 80.
 * - `t_<name>`: the last name found in `namedTransformations` wins (`t_a.b` chains are looked
 *   up name by name); unknown names are ignored.
 * - Components that belong to an overlay/underlay (`l_`/`u_` … up to the `fl_layer_apply`
 *   component, or the single self-contained `l_…` component) and conditional components
 *   (`if_<cond>,…`, or an `if_<cond>` … `if_end` block) describe something other than the base
 *   image unconditionally, so they contribute nothing.
 */
function translate(
  segs: string[],
  from: number,
  to: number,
  out: DeliveryOptions,
  named: Record<string, string> | undefined,
): string | undefined {
  let namedVariant: string | undefined;
  let conditionalDepth = 0;
  // The chain's state; written into `out` at the end, only for what is set.
  let rWidth: number | undefined;
  let rHeight: number | undefined;
  let rFit: Fit | undefined;
  let rGravity: Gravity | undefined;
  let quality: number | undefined;
  let format: Format | undefined;
  let dpr: number | undefined;
  let blur: number | undefined;
  let sharpen: number | undefined;
  for (let k = from; k < to; k++) {
    const params = segs[k]!.split(",");

    // Conditionals and layers.
    let ifValue: string | undefined;
    let hasLayer = false;
    let layerApply = false;
    for (const p of params) {
      if (p.startsWith("if_")) ifValue = p.slice(3);
      else if (p.startsWith("l_") || p.startsWith("u_")) hasLayer = true;
      else if (p.startsWith("fl_") && p.indexOf("layer_apply") !== -1) layerApply = true;
    }
    if (ifValue !== undefined) {
      if (ifValue === "end") {
        if (conditionalDepth > 0) conditionalDepth--;
      } else if (ifValue !== "else" && params.length === 1) {
        conditionalDepth++;
      }
      continue;
    }
    if (conditionalDepth > 0) continue;

    // Layers.
    if (layerApply) continue;
    if (hasLayer) {
      k = layerEnd(segs, k, to);
      continue;
    }

    // Base-image params.
    let resize = false;
    let width: number | undefined;
    let height: number | undefined;
    let fit: Fit | undefined;
    let gravity: Gravity | undefined;
    let ratio: number | undefined;
    for (const p of params) {
      const us = p.indexOf("_");
      const name = p.slice(0, us);
      const value = p.slice(us + 1);
      switch (name) {
        case "w":
          resize = true;
          width = positive(parseDigits(value));
          break;
        case "h":
          resize = true;
          height = positive(parseDigits(value));
          break;
        case "c":
          fit = own(FITS, value);
          break;
        case "g":
          gravity = toGravity(value);
          break;
        case "ar":
          ratio = parseAspectRatio(value);
          break;
        case "q": {
          const m = QUALITY.exec(value);
          const q = m ? Number(m[1]) : 0;
          quality = q >= 1 && q <= 100 ? q : undefined;
          break;
        }
        case "f":
          format = value.startsWith("auto:") ? "auto" : own(FORMATS, value);
          break;
        case "dpr":
          dpr = toDpr(value);
          break;
        case "e": {
          let m = BLUR.exec(value);
          if (m) {
            blur = toBlur(m[1] === undefined ? 100 : Number(m[1]));
            break;
          }
          m = SHARPEN.exec(value);
          if (m) {
            const s = m[1] === undefined ? 100 : Number(m[1]);
            sharpen = Math.min(10, Math.max(1, Math.round(s / 100)));
          }
          break;
        }
        case "t":
          if (named) {
            for (const t of value.split(".")) {
              const variant = lookupNamed(named, t);
              if (variant !== undefined) namedVariant = variant;
            }
          }
          break;
      }
    }
    if (resize) {
      if (ratio !== undefined) {
        if (width !== undefined && height === undefined) height = Math.max(1, Math.round(width / ratio));
        else if (height !== undefined && width === undefined) width = Math.max(1, Math.round(height * ratio));
      }
      if (width === undefined && height === undefined) fit = gravity = undefined;
      rWidth = width;
      rHeight = height;
      rFit = fit;
      rGravity = gravity;
    }
  }
  // An option the URL did not ask for is absent (not present-but-undefined).
  if (rWidth !== undefined) out.width = rWidth;
  if (rHeight !== undefined) out.height = rHeight;
  if (rFit !== undefined) out.fit = rFit;
  if (rGravity !== undefined) out.gravity = rGravity;
  if (quality !== undefined) out.quality = quality;
  if (format !== undefined) out.format = format;
  if (dpr !== undefined) out.dpr = dpr;
  if (blur !== undefined) out.blur = blur;
  if (sharpen !== undefined) out.sharpen = sharpen;
  return namedVariant;
}

/**
 * Index of the component that closes the layer opened at `k`: its matching `fl_layer_apply`
 * (layers nest), else the first later `fl_layer_apply`, else `k` itself (an old-style
 * self-contained `l_…,w_…,g_…` component).
 */
function layerEnd(segs: string[], k: number, to: number): number {
  let depth = 1;
  let firstApply = -1;
  for (let m = k + 1; m < to; m++) {
    const seg = segs[m]!;
    if (seg.indexOf("fl_layer_apply") !== -1) {
      if (firstApply === -1) firstApply = m;
      if (--depth === 0) return m;
    } else if (LAYER_PARAM.test(seg)) {
      depth++;
    }
  }
  return firstApply === -1 ? k : firstApply;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * `auto`/`auto:<anything but faces>` → auto; `face`, `faces`, `adv_face(s)` and `auto:face(s)`
 * (with any `:fallback`) → face; compass points as in `COMPASS`; `center`, `xy_center`, `custom`,
 * `ocr_text`, … → no gravity.
 */
function toGravity(value: string): Gravity | undefined {
  if (value === "auto") return "auto";
  if (value.startsWith("auto:")) return FACE_GRAVITY.test(value.slice(5)) ? "face" : "auto";
  if (FACE_GRAVITY.test(value)) return "face";
  return own(COMPASS, value);
}

/** `t_<name>` through `namedTransformations`, whose keys may be written with or without `t_`. */
function lookupNamed(named: Record<string, string>, name: string): string | undefined {
  const prefixed = "t_" + name;
  let v: unknown;
  if (Object.hasOwn(named, prefixed)) v = named[prefixed];
  else if (Object.hasOwn(named, name)) v = named[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}
