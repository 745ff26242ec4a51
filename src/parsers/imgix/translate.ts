import type { DeliveryOptions, Fit, Format, Trim } from "../../delivery/options";
import { argbHex, colorName } from "../colors";
import { parseAspectRatio, parseDecimal, parseDigits, toBlur, toDpr } from "../numbers";
import { type Focus, mirror, turn } from "../resize/orientation";
import { type ResizeKind, Resizes } from "../resize/compose";
import type { Dropped } from "../types";
import { countStep } from "../work";

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

interface FitMode {
  kind: ResizeKind;
  fit: Fit;
  approximated?: string;
}

const FITS: Readonly<Record<string, FitMode>> = {
  clip: { kind: "contain", fit: "contain" },
  max: { kind: "scale-down", fit: "scale-down" },
  crop: { kind: "cover", fit: "cover" },
  facearea: { kind: "cover", fit: "cover" },
  fill: { kind: "pad", fit: "pad" },
  fillmax: { kind: "pad", fit: "pad" },
  scale: { kind: "squeeze", fit: "squeeze" },
  min: {
    kind: "crop",
    fit: "crop",
    approximated: "Images' crop keeps the original's aspect ratio when the original is smaller than the box",
  },
  clamp: {
    kind: "pad",
    fit: "pad",
    approximated: "Images pads with the background colour, not the edge pixels",
  },
};

const SIDES: Readonly<Record<string, { x?: number; y?: number }>> = {
  top: { y: 0 },
  bottom: { y: 1 },
  left: { x: 0 },
  right: { x: 1 },
};

const FORMATS: Readonly<Record<string, Format>> = {
  jpg: "jpeg",
  jpeg: "jpeg",
  pjpg: "jpeg",
  png: "png",
  webp: "webp",
  avif: "avif",
  gif: "gif",
};

/** Alias → param (imgix's documented aliases of the params read here). */
const ALIASES: Readonly<Record<string, string>> = {
  width: "w",
  height: "h",
  f: "fit",
  "max-width": "max-w",
  "max-height": "max-h",
  "min-width": "min-w",
  "min-height": "min-h",
  or: "orient",
  trimcolor: "trim-color",
  trimtol: "trim-tol",
  trimmd: "trim-md",
  trimsd: "trim-sd",
  trimpad: "trim-pad",
};

/** Params that only track or sign (SPEC): never carried, never listed. */
const IGNORED = new Set(["ixlib", "ixid", "s", "expires"]);

const COMPRESS_QUALITY = 45;
const INTEGER = /^-?\d{1,9}$/;

export function translateParams(search: URLSearchParams): Translation {
  return new ParamReader(search).translate();
}

class ParamReader {
  private readonly values = new Map<string, string>();
  private readonly written = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly dropped: Dropped[] = [];
  private readonly out: DeliveryOptions = {};

  constructor(search: URLSearchParams) {
    for (const [written, value] of search) {
      countStep();
      const name = Object.hasOwn(ALIASES, written) ? ALIASES[written]! : written;
      if (!this.values.has(name)) {
        this.values.set(name, value);
        this.written.set(name, written);
      }
    }
  }

  translate(): Translation {
    this.readSize();
    this.readQualityAndFormat();
    this.readEffects();
    this.foldDprIntoTrimmedSize();
    for (const [name, value] of this.values) {
      countStep();
      if (!this.used.has(name) && !IGNORED.has(name)) this.drop(name, value, "no Images equivalent");
    }
    return { options: this.out, dropped: this.dropped };
  }

  /**
   * Images multiplies a trim by dpr; imgix's `rect` is in the original's pixels and its `dpr` only
   * multiplies the output size. With a rect, dpr is folded into width and height instead.
   */
  private foldDprIntoTrimmedSize(): void {
    const out = this.out;
    if (out.trim === undefined || !("width" in out.trim) || out.dpr === undefined) return;
    const dpr = out.dpr;
    delete out.dpr;
    if (out.width === undefined && out.height === undefined) {
      this.drop("dpr", String(dpr), "with rect and no w/h, dpr cannot be expressed");
      return;
    }
    if (out.width !== undefined) out.width = Math.round(out.width * dpr);
    if (out.height !== undefined) out.height = Math.round(out.height * dpr);
  }

  /** The value of `name` (or an alias), marking it as read. */
  private get(name: string): string | undefined {
    this.used.add(name);
    return this.values.get(name);
  }

  private drop(name: string, value: string, reason: string): void {
    const param = `${this.written.get(name) ?? name}=${value}`;
    this.dropped.push({ param: param.length > 100 ? param.slice(0, 99) + "…" : param, reason });
  }

  /** A positive pixel size; relative sizes make the whole size unknown. */
  private pixels(name: "w" | "h"): number | "relative" | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    const n = parseDigits(value);
    if (n !== undefined && n > 0) return n;
    const relative = parseDecimal(value);
    if (relative !== undefined && relative > 0 && relative < 1) return "relative";
    this.drop(name, value, "malformed size");
    return undefined;
  }

  private readSize(): void {
    const resizes = new Resizes();
    const trim = this.readRect();
    this.readTrim(trim);
    let w = this.pixels("w");
    let h = this.pixels("h");
    const fitName = this.get("fit") ?? "clip";
    let mode = Object.hasOwn(FITS, fitName) ? FITS[fitName]! : undefined;
    if (mode === undefined) {
      this.drop("fit", fitName, "unknown fit; served as clip");
      mode = FITS.clip!;
    }
    const focus = this.readCrop(fitName);
    const ar = this.get("ar");
    const cropping = fitName === "crop";
    if (w === "relative" || h === "relative") {
      this.drop(
        w === "relative" ? "w" : "h",
        this.values.get(w === "relative" ? "w" : "h")!,
        "relative sizes cannot be expressed; no size is carried",
      );
      resizes.addUnknown(mode.kind !== "cover" && mode.kind !== "crop");
    } else {
      if (ar !== undefined) [w, h] = this.applyRatio(ar, cropping, w, h);
      [w, h] = this.applyMaximum(cropping, w, h);
      if (w !== undefined || h !== undefined) {
        if (mode.approximated !== undefined) this.drop("fit", fitName, mode.approximated);
        resizes.add({
          kind: mode.kind,
          ...(w !== undefined ? { width: w } : {}),
          ...(h !== undefined ? { height: h } : {}),
          ...(focus !== undefined ? { focus } : {}),
          // imgix's default, clip, is Images' default, contain: no fit written.
          fit: this.values.has("fit") ? mode.fit : undefined,
        });
      } else if (this.values.has("fit") && fitName !== "clip") {
        this.drop("fit", fitName, "needs w or h");
      }
    }
    this.readOrientation(resizes);
    for (const name of ["min-w", "min-h"]) {
      const v = this.get(name);
      if (v !== undefined) this.drop(name, v, "no Images equivalent");
    }
    Object.assign(this.out, resizes.options());
    if (trim !== undefined) this.out.trim = trim;
  }

  /** `ar` (with fit=crop) derives the missing dimension. */
  private applyRatio(ar: string, cropping: boolean, w?: number, h?: number): [number?, number?] {
    const ratio = parseAspectRatio(ar);
    if (ratio === undefined) this.drop("ar", ar, "malformed aspect ratio");
    else if (!cropping) this.drop("ar", ar, "applies with fit=crop only");
    else if (w !== undefined && h === undefined) h = Math.max(1, Math.round(w / ratio));
    else if (h !== undefined && w === undefined) w = Math.max(1, Math.round(h * ratio));
    else if (w === undefined && h === undefined) {
      this.drop("ar", ar, "without w or h the size depends on the original's; not carried");
    }
    return [w, h];
  }

  /** `max-w`/`max-h` (with fit=crop) scale a larger box down, keeping its ratio. */
  private applyMaximum(cropping: boolean, w?: number, h?: number): [number?, number?] {
    for (const name of ["max-w", "max-h"] as const) {
      const value = this.get(name);
      if (value === undefined) continue;
      const max = parseDigits(value);
      const size = name === "max-w" ? w : h;
      if (max === undefined || max === 0) this.drop(name, value, "malformed size");
      else if (!cropping) this.drop(name, value, "applies with fit=crop only");
      else if (size === undefined)
        this.drop(name, value, "without w and h the size depends on the original's");
      else if (size > max) {
        const scale = max / size;
        if (name === "max-w") [w, h] = [max, h === undefined ? h : Math.max(1, Math.round(h * scale))];
        else [w, h] = [w === undefined ? w : Math.max(1, Math.round(w * scale)), max];
      }
    }
    return [w, h];
  }

  /** `crop` (and `fp-x`/`fp-y`) as a focus; only fit=crop crops. */
  private readCrop(fitName: string): Focus | undefined {
    if (fitName === "facearea") {
      this.get("crop");
      const pad = this.get("facepad");
      if (pad !== undefined)
        this.drop("facepad", pad, "no Images equivalent (Images crops to the faces' box)");
      return "face";
    }
    const crop = this.get("crop");
    const fpX = this.get("fp-x");
    const fpY = this.get("fp-y");
    const fpZ = this.get("fp-z");
    if (fpZ !== undefined) this.drop("fp-z", fpZ, "no Images equivalent");
    if (crop === undefined) return undefined;
    if (fitName !== "crop") {
      this.drop("crop", crop, "applies with fit=crop only");
      return undefined;
    }
    const entries = crop.split(",");
    if (entries.includes("faces")) return "face";
    if (entries.includes("focalpoint")) {
      return { x: unit(fpX) ?? 0.5, y: unit(fpY) ?? 0.5 };
    }
    if (entries.includes("entropy") || entries.includes("edges")) return "auto";
    let x = 0.5;
    let y = 0.5;
    for (const e of entries) {
      const side = Object.hasOwn(SIDES, e) ? SIDES[e]! : undefined;
      if (side?.x !== undefined) x = side.x;
      if (side?.y !== undefined) y = side.y;
    }
    return { x, y };
  }

  /** `rect=x,y,w,h` in pixels → Images' trim. */
  private readRect(): Trim | undefined {
    const rect = this.get("rect");
    if (rect === undefined) return undefined;
    const parts = rect.split(",");
    const n = parts.map((p) => parseDigits(p));
    if (parts.length !== 4 || n.some((v) => v === undefined) || n[2] === 0 || n[3] === 0) {
      this.drop("rect", rect, "only a rectangle in pixels (x,y,w,h) can be expressed");
      return undefined;
    }
    return { left: n[0]!, top: n[1]!, width: n[2]!, height: n[3]! };
  }

  /** `trim=auto|color` → Images' border trim (after `rect`, which is a trim already). */
  private readTrim(rect: Trim | undefined): void {
    const trim = this.get("trim");
    for (const name of ["trim-tol", "trim-md", "trim-sd", "trim-pad"]) {
      const v = this.get(name);
      if (v !== undefined) this.drop(name, v, "no Images equivalent; Images' default is used");
    }
    const color = this.get("trim-color");
    if (trim === undefined) return;
    if (rect !== undefined) return this.drop("trim", trim, "rect is already Images' trim");
    if (trim === "auto") {
      this.out.trim = { border: true };
    } else if (trim === "color") {
      const css = color === undefined ? undefined : toColor(color);
      if (color !== undefined && css === undefined) this.drop("trim-color", color, "malformed colour");
      this.out.trim = css === undefined ? { border: true } : { border: true, color: css };
    } else {
      this.drop("trim", trim, "no Images equivalent");
    }
  }

  private readOrientation(resizes: Resizes): void {
    const flip = this.get("flip");
    if (flip === "h" || flip === "v") resizes.reorient(mirror(resizes.oriented, flip));
    else if (flip === "hv") resizes.reorient(turn(resizes.oriented, 2));
    else if (flip !== undefined) this.drop("flip", flip, "flip must be h, v or hv");
    const rot = this.get("rot");
    if (rot !== undefined) {
      const degrees = INTEGER.test(rot) ? Number(rot) : undefined;
      if (degrees !== undefined && degrees % 90 === 0) resizes.reorient(turn(resizes.oriented, degrees / 90));
      else this.drop("rot", rot, "Images rotates by 90, 180 or 270 degrees only");
    }
    const orient = this.get("orient");
    if (orient !== undefined)
      this.drop("orient", orient, "Images applies the original's EXIF orientation itself");
    for (const name of ["pad", "pad-top", "pad-right", "pad-bottom", "pad-left"]) {
      const v = this.get(name);
      if (v !== undefined) this.drop(name, v, "Images adds no padding around an image");
    }
  }

  private readQualityAndFormat(): void {
    const out = this.out;
    const qParam = this.get("q");
    if (qParam !== undefined) {
      const q = parseDigits(qParam);
      if (q !== undefined && q <= 100) out.quality = Math.max(1, q);
      else this.drop("q", qParam, "quality must be 0–100");
    }
    let autoFormat = false;
    const auto = this.get("auto");
    if (auto !== undefined) {
      for (const a of auto.split(",")) {
        if (a === "format") autoFormat = true;
        else if (a === "compress") {
          if (qParam === undefined) out.quality = COMPRESS_QUALITY;
        } else this.drop("auto", a, "no Images equivalent");
      }
    }
    const fm = this.get("fm");
    if (autoFormat) out.format = "auto";
    else if (fm !== undefined) {
      if (Object.hasOwn(FORMATS, fm)) out.format = FORMATS[fm];
      else this.drop("fm", fm, "format Images does not deliver");
    }
    const dpr = this.get("dpr");
    if (dpr !== undefined) {
      const d = toDpr(dpr);
      if (d === undefined) this.drop("dpr", dpr, "dpr must be a positive number");
      else {
        out.dpr = d;
        if (d < Number(dpr)) this.drop("dpr", dpr, "dpr capped at 2");
      }
    }
  }

  private readEffects(): void {
    const out = this.out;
    const blur = this.get("blur");
    if (blur !== undefined) {
      const n = parseDigits(blur);
      if (n === undefined) this.drop("blur", blur, "malformed blur");
      else if (n > 0) out.blur = toBlur(n);
    }
    const sharp = this.get("sharp");
    if (sharp !== undefined) {
      const n = parseDecimal(sharp);
      if (n === undefined) this.drop("sharp", sharp, "malformed sharpen");
      else {
        const s = Math.round(Math.min(100, n) / 10);
        if (s > 0) out.sharpen = s;
      }
    }
    const bg = this.get("bg");
    if (bg !== undefined) {
      const css = toColor(bg);
      if (css !== undefined) out.background = css;
      else this.drop("bg", bg, "malformed colour");
    }
    for (const [name, option] of [
      ["bri", "brightness"],
      ["con", "contrast"],
      ["gam", "gamma"],
      ["sat", "saturation"],
    ] as const) {
      const value = this.get(name);
      if (value === undefined) continue;
      if (!INTEGER.test(value)) {
        this.drop(name, value, "malformed adjustment (−100…100)");
        continue;
      }
      const n = Math.min(100, Math.max(-100, Number(value)));
      if (n === 0) continue;
      const factor = Math.round((1 + n / 100) * 100) / 100;
      // Images ignores 0 for all but saturation (0 is grayscale): keep the darkest step.
      out[option] = option === "saturation" ? factor : Math.max(0.01, factor);
    }
  }
}

/** imgix colours: hex with alpha first (3, 4, 6 or 8 digits) or a colour keyword. */
function toColor(value: string): string | undefined {
  return colorName(value) ?? argbHex(value.startsWith("#") ? value.slice(1) : value);
}

/** A fraction 0–1, or undefined. */
function unit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDecimal(value);
  return n !== undefined && n <= 1 ? n : undefined;
}
