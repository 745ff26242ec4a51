import type { DeliveryOptions, Format } from "../../delivery/options";
import { imgixColor } from "../colors";
import { parseDecimal, parseDigits, toBlur, toDpr } from "../numbers";
import type { Dropped } from "../types";
import { QueryParams } from "./params";
import { foldDprIntoTrimmedSize, readSize } from "./size";

/**
 * imgix params → Images delivery options. imgix applies one resize per URL: the source rectangle
 * (`rect`) and `trim` first, then `w`/`h`/`fit`/`crop`/`ar`, then `flip` and `rot` (taken to rotate
 * the output clockwise, as Images does). Every param not carried over is listed in `dropped`.
 *
 * Decisions where the SPEC is silent:
 * - A param given twice: the first value counts. Aliases (`width`, `max-width`, `f`, …) count as
 *   their param.
 * - `fit` (default `clip`): clip→contain, max→scale-down, crop→cover, facearea→cover with face
 *   gravity, fill/fillmax→pad, scale→squeeze, min→crop and clamp→pad (both approximated, listed).
 * - `crop` (with fit=crop): faces → face, focalpoint → the point `fp-x`×`fp-y`, entropy/edges →
 *   auto, sides → that side, two sides → that corner.
 * - `ar=<w:h>` with `fit=crop` and exactly one of `w`/`h` derives the other one, as imgix does;
 *   `max-w`/`max-h` scale a larger box down, keeping its ratio.
 * - `rect=x,y,w,h` in pixels → Images' trim; relative or keyword positions are listed.
 * - `q`: an integer 0–100; 0 becomes 1 (Images' lowest quality). `auto=compress` → quality 45 only
 *   when no `q` param is present at all; `auto=format` wins over `fm`.
 * - `blur`: integers ≥ 0, values above 2000 count as 2000; 0 → no blur. `sharp`: 0–100 → `round(n/10)`.
 * - `sat`, `bri`, `con`, `gam` (−100…100, 0 = unchanged) → factor 1 + n/100 (`sat=-100` → 0, grayscale).
 * - `w`/`h`: positive integers only (`0.5` is imgix's relative size: no size is carried).
 */
export interface Translation {
  options: DeliveryOptions;
  dropped: Dropped[];
}

const FORMATS: Readonly<Record<string, Format>> = {
  jpg: "jpeg",
  jpeg: "jpeg",
  pjpg: "jpeg",
  png: "png",
  webp: "webp",
  avif: "avif",
  gif: "gif",
};

const COMPRESS_QUALITY = 45;
const INTEGER = /^-?\d{1,9}$/;

export function translateParams(search: URLSearchParams): Translation {
  const params = new QueryParams(search);
  const out: DeliveryOptions = {};
  readSize(params, out);
  readQualityAndFormat(params, out);
  readEffects(params, out);
  foldDprIntoTrimmedSize(params, out);
  params.dropUnread();
  return { options: out, dropped: params.dropped };
}

function readQualityAndFormat(params: QueryParams, out: DeliveryOptions): void {
  const qParam = params.get("q");
  if (qParam !== undefined) {
    const q = parseDigits(qParam);
    if (q !== undefined && q <= 100) out.quality = Math.max(1, q);
    else params.drop("q", qParam, "quality must be 0–100");
  }
  let autoFormat = false;
  const auto = params.get("auto");
  if (auto !== undefined) {
    for (const a of auto.split(",")) {
      if (a === "format") autoFormat = true;
      else if (a === "compress") {
        if (qParam === undefined) out.quality = COMPRESS_QUALITY;
      } else params.drop("auto", a, "no Images equivalent");
    }
  }
  const fm = params.get("fm");
  if (autoFormat) out.format = "auto";
  else if (fm !== undefined) {
    if (Object.hasOwn(FORMATS, fm)) out.format = FORMATS[fm];
    else params.drop("fm", fm, "format Images does not deliver");
  }
  const dpr = params.get("dpr");
  if (dpr !== undefined) {
    const d = toDpr(dpr);
    if (d === undefined) params.drop("dpr", dpr, "dpr must be a positive number");
    else {
      out.dpr = d;
      if (d < Number(dpr)) params.drop("dpr", dpr, "dpr capped at 2");
    }
  }
}

function readEffects(params: QueryParams, out: DeliveryOptions): void {
  const blur = params.get("blur");
  if (blur !== undefined) {
    const n = parseDigits(blur);
    if (n === undefined) params.drop("blur", blur, "malformed blur");
    else if (n > 0) out.blur = toBlur(n);
  }
  const sharp = params.get("sharp");
  if (sharp !== undefined) {
    const n = parseDecimal(sharp);
    if (n === undefined) params.drop("sharp", sharp, "malformed sharpen");
    else {
      const s = Math.round(Math.min(100, n) / 10);
      if (s > 0) out.sharpen = s;
    }
  }
  const bg = params.get("bg");
  if (bg !== undefined) {
    const css = imgixColor(bg);
    if (css !== undefined) out.background = css;
    else params.drop("bg", bg, "malformed colour");
  }
  for (const [name, option] of [
    ["bri", "brightness"],
    ["con", "contrast"],
    ["gam", "gamma"],
    ["sat", "saturation"],
  ] as const) {
    const value = params.get(name);
    if (value === undefined) continue;
    if (!INTEGER.test(value)) {
      params.drop(name, value, "malformed adjustment (−100…100)");
      continue;
    }
    const n = Math.min(100, Math.max(-100, Number(value)));
    if (n === 0) continue;
    const factor = Math.round((1 + n / 100) * 100) / 100;
    // Images ignores 0 for all but saturation (0 is grayscale): keep the darkest step.
    out[option] = option === "saturation" ? factor : Math.max(0.01, factor);
  }
}
