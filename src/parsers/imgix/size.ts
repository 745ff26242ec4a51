import type { DeliveryOptions, Fit, Trim } from "../../delivery/options";
import { imgixColor } from "../colors";
import { parseAspectRatio, parseDecimal, parseDigits } from "../numbers";
import { type ResizeKind, Resizes } from "../resize/compose";
import { type Focus, mirror, turn } from "../resize/orientation";
import type { QueryParams } from "./params";

/**
 * imgix's one resize per URL → Images' size, fit, gravity, trim, rotate and flip. imgix cuts the
 * source rectangle (`rect`) and trims first, then resizes (`w`/`h`/`fit`/`crop`/`ar`), then flips
 * and rotates (`rot`, taken to turn the output clockwise, as Images does).
 */

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

const INTEGER = /^-?\d{1,9}$/;

/** A positive pixel size; relative sizes make the whole size unknown. */
function pixels(params: QueryParams, name: "w" | "h"): number | "relative" | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  const n = parseDigits(value);
  if (n !== undefined && n > 0) return n;
  const relative = parseDecimal(value);
  if (relative !== undefined && relative > 0 && relative < 1) return "relative";
  params.drop(name, value, "malformed size");
  return undefined;
}

/** The resize, source rectangle, trim and orientation params → `out`. */
export function readSize(params: QueryParams, out: DeliveryOptions): void {
  const resizes = new Resizes();
  const trim = readRect(params);
  readTrim(params, out, trim);
  let w = pixels(params, "w");
  let h = pixels(params, "h");
  const fitName = params.get("fit") ?? "clip";
  let mode = Object.hasOwn(FITS, fitName) ? FITS[fitName]! : undefined;
  if (mode === undefined) {
    params.drop("fit", fitName, "unknown fit; served as clip");
    mode = FITS.clip!;
  }
  const focus = readCrop(params, fitName);
  const ar = params.get("ar");
  const cropping = fitName === "crop";
  if (w === "relative" || h === "relative") {
    params.drop(
      w === "relative" ? "w" : "h",
      params.get(w === "relative" ? "w" : "h")!,
      "relative sizes cannot be expressed; no size is carried",
    );
    if (ar !== undefined) params.drop("ar", ar, "with a relative size; not carried");
    resizes.addUnknown(mode.kind !== "cover" && mode.kind !== "crop");
  } else {
    if (ar !== undefined) [w, h] = applyRatio(params, ar, cropping, w, h);
    [w, h] = applyMaximum(params, cropping, w, h);
    if (w !== undefined || h !== undefined) {
      if (mode.approximated !== undefined) params.drop("fit", fitName, mode.approximated);
      resizes.add({
        kind: mode.kind,
        ...(w !== undefined ? { width: w } : {}),
        ...(h !== undefined ? { height: h } : {}),
        ...(focus !== undefined ? { focus } : {}),
        // imgix's default, clip, is Images' default, contain: no fit written.
        fit: params.has("fit") ? mode.fit : undefined,
      });
    } else if (params.has("fit") && fitName !== "clip") {
      params.drop("fit", fitName, "needs w or h");
    }
  }
  readOrientation(params, resizes);
  for (const name of ["min-w", "min-h"] as const) {
    const v = params.get(name);
    if (v !== undefined) params.drop(name, v, "no Images equivalent");
  }
  Object.assign(out, resizes.options());
  if (trim !== undefined) out.trim = trim;
}

/** `ar` (with fit=crop) derives the missing dimension. */
function applyRatio(
  params: QueryParams,
  ar: string,
  cropping: boolean,
  w?: number,
  h?: number,
): [number?, number?] {
  const ratio = parseAspectRatio(ar);
  if (ratio === undefined) params.drop("ar", ar, "malformed aspect ratio");
  else if (!cropping) params.drop("ar", ar, "applies with fit=crop only");
  else if (w !== undefined && h === undefined) h = Math.max(1, Math.round(w / ratio));
  else if (h !== undefined && w === undefined) w = Math.max(1, Math.round(h * ratio));
  else if (w === undefined && h === undefined) {
    params.drop("ar", ar, "without w or h the size depends on the original's; not carried");
  }
  return [w, h];
}

/** `max-w`/`max-h` (with fit=crop) scale a larger box down, keeping its ratio. */
function applyMaximum(params: QueryParams, cropping: boolean, w?: number, h?: number): [number?, number?] {
  for (const name of ["max-w", "max-h"] as const) {
    const value = params.get(name);
    if (value === undefined) continue;
    const max = parseDigits(value);
    const size = name === "max-w" ? w : h;
    if (max === undefined || max === 0) params.drop(name, value, "malformed size");
    else if (!cropping) params.drop(name, value, "applies with fit=crop only");
    else if (size === undefined)
      params.drop(name, value, "without w and h the size depends on the original's");
    else if (size > max) {
      const scale = max / size;
      if (name === "max-w") [w, h] = [max, h === undefined ? h : Math.max(1, Math.round(h * scale))];
      else [w, h] = [w === undefined ? w : Math.max(1, Math.round(w * scale)), max];
    }
  }
  return [w, h];
}

/** `crop` (and `fp-x`/`fp-y`) as a focus; only fit=crop crops. */
function readCrop(params: QueryParams, fitName: string): Focus | undefined {
  if (fitName === "facearea") {
    params.get("crop");
    const pad = params.get("facepad");
    if (pad !== undefined)
      params.drop("facepad", pad, "no Images equivalent (Images crops to the faces' box)");
    return "face";
  }
  const crop = params.get("crop");
  const fpX = params.get("fp-x");
  const fpY = params.get("fp-y");
  const fpZ = params.get("fp-z");
  if (fpZ !== undefined) params.drop("fp-z", fpZ, "no Images equivalent");
  if (crop === undefined) return undefined;
  if (fitName !== "crop") {
    params.drop("crop", crop, "applies with fit=crop only");
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
function readRect(params: QueryParams): Trim | undefined {
  const rect = params.get("rect");
  if (rect === undefined) return undefined;
  const parts = rect.split(",");
  const n = parts.map((p) => parseDigits(p));
  if (parts.length !== 4 || n.some((v) => v === undefined) || n[2] === 0 || n[3] === 0) {
    params.drop("rect", rect, "only a rectangle in pixels (x,y,w,h) can be expressed");
    return undefined;
  }
  return { left: n[0]!, top: n[1]!, width: n[2]!, height: n[3]! };
}

/** `trim=auto|color` → Images' border trim (after `rect`, which is a trim already). */
function readTrim(params: QueryParams, out: DeliveryOptions, rect: Trim | undefined): void {
  const trim = params.get("trim");
  for (const name of ["trim-tol", "trim-md", "trim-sd", "trim-pad"] as const) {
    const v = params.get(name);
    if (v !== undefined) params.drop(name, v, "no Images equivalent; Images' default is used");
  }
  const color = params.get("trim-color");
  if (trim === undefined) return;
  if (rect !== undefined) return params.drop("trim", trim, "rect is already Images' trim");
  if (trim === "auto") {
    out.trim = { border: true };
  } else if (trim === "color") {
    const css = color === undefined ? undefined : imgixColor(color);
    if (color !== undefined && css === undefined) params.drop("trim-color", color, "malformed colour");
    out.trim = css === undefined ? { border: true } : { border: true, color: css };
  } else {
    params.drop("trim", trim, "no Images equivalent");
  }
}

function readOrientation(params: QueryParams, resizes: Resizes): void {
  const flip = params.get("flip");
  if (flip === "h" || flip === "v") resizes.reorient(mirror(resizes.oriented, flip));
  else if (flip === "hv") resizes.reorient(turn(resizes.oriented, 2));
  else if (flip !== undefined) params.drop("flip", flip, "flip must be h, v or hv");
  const rot = params.get("rot");
  if (rot !== undefined) {
    const degrees = INTEGER.test(rot) ? Number(rot) : undefined;
    if (degrees !== undefined && degrees % 90 === 0) resizes.reorient(turn(resizes.oriented, degrees / 90));
    else params.drop("rot", rot, "Images rotates by 90, 180 or 270 degrees only");
  }
  const orient = params.get("orient");
  if (orient !== undefined)
    params.drop("orient", orient, "Images applies the original's EXIF orientation itself");
  for (const name of ["pad", "pad-top", "pad-right", "pad-bottom", "pad-left"] as const) {
    const v = params.get(name);
    if (v !== undefined) params.drop(name, v, "Images adds no padding around an image");
  }
}

/**
 * Images multiplies a trim by dpr; imgix's `rect` is in the original's pixels and its `dpr` only
 * multiplies the output size. With a rect, dpr is folded into width and height instead.
 */
export function foldDprIntoTrimmedSize(params: QueryParams, out: DeliveryOptions): void {
  if (out.trim === undefined || !("width" in out.trim) || out.dpr === undefined) return;
  const dpr = out.dpr;
  delete out.dpr;
  if (out.width === undefined && out.height === undefined) {
    params.drop("dpr", String(dpr), "with rect and no w/h, dpr cannot be expressed");
    return;
  }
  if (out.width !== undefined) out.width = Math.round(out.width * dpr);
  if (out.height !== undefined) out.height = Math.round(out.height * dpr);
}

/** A fraction 0–1, or undefined. */
function unit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDecimal(value);
  return n !== undefined && n <= 1 ? n : undefined;
}
