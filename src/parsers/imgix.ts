import type { DeliveryOptions, Fit, Format, Gravity } from "../delivery/options";
import { validateKey } from "./key";
import { parseAspectRatio, parseDecimal, parseDigits, toBlur, toDpr } from "./numbers";
import { malformedEscape, success } from "./result";
import { decodeOnce, encodeSegments, stripLeadingSlash } from "./url-encoding";
import type { LegacyParser, ParseResult } from "./types";

/**
 * imgix URLs: `/<path>?<params>`. The key is the path below the prefix, decoded once; the params
 * become delivery options; the origin path is the key re-encoded per segment, without params.
 *
 * Decisions where the SPEC is silent:
 * - A param given twice: the first value counts (`URLSearchParams.get`).
 * - `fit=min` ("crop, never upscale") → `crop`, which is exactly Images' crop; other fits that
 *   Images cannot express (`fillmax`, …) are ignored.
 * - `crop` is a comma list; the first recognised entry wins: `faces` → face, `top`/`bottom`/
 *   `left`/`right` → that side, `entropy`/`edges` (imgix's smart crops) → auto. `fit=facearea`
 *   sets gravity face whatever `crop` says. The gravity is emitted even when `fit` is not a crop
 *   (harmless: Images ignores it then).
 * - `ar=<w:h>` with `fit=crop` and exactly one of `w`/`h` derives the other one, as imgix does.
 * - `q`: an integer 0–100; 0 becomes 1 (Images' lowest quality); anything else is ignored.
 *   `auto=compress` → quality 45 only when no `q` param is present at all.
 * - `auto=format` wins over `fm` (imgix serves the `fm` format only to browsers that cannot take
 *   WebP/AVIF; Images' `format=auto` does the same negotiation).
 * - `blur`: integers ≥ 0, values above 2000 count as 2000; 0 → no blur.
 *   `sharp`: 0–100 → `round(n/10)`; a result of 0 → no sharpen; values above 100 count as 100.
 * - `w`/`h`: positive integers only (`0.5` is imgix's relative size, `400.5` is not a size).
 */

const FITS: Record<string, Fit> = {
  crop: "cover",
  clip: "contain",
  max: "scale-down",
  fill: "pad",
  scale: "squeeze",
  facearea: "cover",
  min: "crop",
};

const CROP_GRAVITY: Record<string, Gravity> = {
  faces: "face",
  top: "top",
  bottom: "bottom",
  left: "left",
  right: "right",
  entropy: "auto",
  edges: "auto",
};

const FORMATS: Record<string, Format> = {
  jpg: "jpeg",
  jpeg: "jpeg",
  pjpg: "jpeg",
  png: "png",
  webp: "webp",
  avif: "avif",
  gif: "gif",
};

const COMPRESS_QUALITY = 45;

export const parseImgixUrl: LegacyParser = (url, rest): ParseResult => {
  const key = decodeOnce(stripLeadingSlash(rest));
  if (key === null) return malformedEscape("path");
  const invalid = validateKey(key);
  if (invalid) return invalid;
  const options = url.search.length > 1 ? translate(url.searchParams) : {};
  return success(key, options, encodeSegments(key));
};

function translate(params: URLSearchParams): DeliveryOptions {
  const out: DeliveryOptions = {};

  const w = positive(params.get("w"));
  const h = positive(params.get("h"));
  let width = w;
  let height = h;

  const fitParam = params.get("fit");
  const fit = fitParam !== null && Object.hasOwn(FITS, fitParam) ? FITS[fitParam] : undefined;

  let gravity: Gravity | undefined;
  if (fitParam === "facearea") {
    gravity = "face";
  } else {
    const crop = params.get("crop");
    if (crop !== null) {
      for (const c of crop.split(",")) {
        if (Object.hasOwn(CROP_GRAVITY, c)) {
          gravity = CROP_GRAVITY[c];
          break;
        }
      }
    }
  }

  if (fitParam === "crop") {
    const ar = params.get("ar");
    const ratio = ar === null ? undefined : parseAspectRatio(ar);
    if (ratio !== undefined) {
      if (width !== undefined && height === undefined) height = Math.max(1, Math.round(width / ratio));
      else if (height !== undefined && width === undefined) width = Math.max(1, Math.round(height * ratio));
    }
  }

  if (width !== undefined) out.width = width;
  if (height !== undefined) out.height = height;
  if (fit !== undefined) out.fit = fit;
  if (gravity !== undefined) out.gravity = gravity;

  const qParam = params.get("q");
  if (qParam !== null) {
    const q = parseDigits(qParam);
    if (q !== undefined && q <= 100) out.quality = Math.max(1, q);
  }

  let autoFormat = false;
  const auto = params.get("auto");
  if (auto !== null) {
    for (const a of auto.split(",")) {
      if (a === "format") autoFormat = true;
      else if (a === "compress" && qParam === null) out.quality = COMPRESS_QUALITY;
    }
  }
  if (autoFormat) {
    out.format = "auto";
  } else {
    const fm = params.get("fm");
    if (fm !== null && Object.hasOwn(FORMATS, fm)) out.format = FORMATS[fm];
  }

  const dprParam = params.get("dpr");
  if (dprParam !== null) {
    const dpr = toDpr(dprParam);
    if (dpr !== undefined) out.dpr = dpr;
  }

  const blurParam = params.get("blur");
  if (blurParam !== null) {
    const blur = parseDigits(blurParam);
    if (blur !== undefined && blur > 0) out.blur = toBlur(blur);
  }

  const sharpParam = params.get("sharp");
  if (sharpParam !== null) {
    const sharp = parseDecimal(sharpParam);
    if (sharp !== undefined) {
      const s = Math.round(Math.min(100, sharp) / 10);
      if (s > 0) out.sharpen = s;
    }
  }

  return out;
}

function positive(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = parseDigits(value);
  return n !== undefined && n > 0 ? n : undefined;
}
