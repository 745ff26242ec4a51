import type { Fit, Format } from "../../delivery/options";
import { colorName, cssHex } from "../colors";
import type { Focus } from "../resize/orientation";
import type { ResizeKind } from "../resize/compose";

/** Values of single Cloudinary transformation params, in Images' terms. */

/** A param as `dropped` shows it: at most 100 characters. */
export function clipParam(text: string): string {
  return text.length > 100 ? text.slice(0, 99) + "…" : text;
}

export interface CropMode {
  kind: ResizeKind;
  /** Images' fit (the SPEC's table). */
  fit: Fit;
  /** Why the mode is only approximated by `fit`, when it is. */
  approximated?: string;
}

/**
 * `c_<mode>` → how it resizes (see ../resize/compose) and the Images fit that stands for it.
 * `lfill` is Images' `crop` exactly (fill, never enlarge); `thumb` is taken to be the same.
 */
export const CROP_MODES: Readonly<Record<string, CropMode>> = {
  scale: { kind: "squeeze", fit: "squeeze" },
  fit: { kind: "contain", fit: "contain" },
  limit: { kind: "scale-down", fit: "scale-down" },
  mfit: {
    kind: "scale-up",
    fit: "contain",
    approximated: "Images has no fit that only enlarges; served as contain",
  },
  fill: { kind: "cover", fit: "cover" },
  lfill: { kind: "crop", fit: "crop" },
  fill_pad: { kind: "cover", fit: "cover" },
  auto: { kind: "cover", fit: "cover" },
  crop: { kind: "extract", fit: "crop" },
  thumb: { kind: "crop", fit: "crop" },
  pad: { kind: "pad", fit: "pad" },
  lpad: { kind: "pad", fit: "pad" },
  mpad: {
    kind: "pad",
    fit: "pad",
    approximated: "Images' pad also scales an original larger than the box; served as pad",
  },
  imagga_scale: {
    kind: "squeeze",
    fit: "squeeze",
    approximated: "Imagga's content-aware scaling is an add-on; served as squeeze",
  },
  imagga_crop: {
    kind: "cover",
    fit: "cover",
    approximated: "Imagga's content-aware crop is an add-on; served as cover with gravity auto",
  },
};

/** Cloudinary's modes, as `own` lookups (no prototype keys). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export const FORMATS: Readonly<Record<string, Format>> = {
  auto: "auto",
  jpg: "jpeg",
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
  avif: "avif",
  gif: "gif",
};

/** Compass points as focal points (x, y as fractions; `center` is the middle). */
const COMPASS: Readonly<Record<string, Focus>> = {
  north_west: { x: 0, y: 0 },
  north: { x: 0.5, y: 0 },
  north_east: { x: 1, y: 0 },
  west: { x: 0, y: 0.5 },
  center: { x: 0.5, y: 0.5 },
  east: { x: 1, y: 0.5 },
  south_west: { x: 0, y: 1 },
  south: { x: 0.5, y: 1 },
  south_east: { x: 1, y: 1 },
};
const FACE = /^(?:adv_)?faces?(?::|$)/;

/**
 * `g_<value>` → focus: `auto`/`auto:<anything but faces>` → auto; `face`, `faces`, `adv_face(s)`,
 * `auto:face(s)` (with any `:fallback`) → face; compass points → their point (the diagonals keep
 * their corner: Images takes `XxY` focal points). `undefined` when Images has no equivalent
 * (`xy_center`, `custom`, `ocr_text`, `liquid`, object names, …).
 */
export function toFocus(value: string): Focus | undefined {
  if (value === "auto") return "auto";
  if (value.startsWith("auto:")) return FACE.test(value.slice(5)) ? "face" : "auto";
  if (FACE.test(value)) return "face";
  return own(COMPASS, value);
}

/**
 * `b_<colour>`: `rgb:<3, 4, 6 or 8 hex digits>` (alpha last, as in CSS) or a colour name.
 * `undefined` for anything else (`b_auto:…`, gradients).
 */
export function toBackground(value: string): string | undefined {
  if (value.startsWith("rgb:")) return cssHex(value.slice(4));
  if (value.startsWith("#")) return cssHex(value.slice(1));
  return colorName(value);
}

/** `a_<degrees>` as clockwise quarter turns (a multiple of 90, negative allowed); else undefined. */
const DEGREES = /^-?\d{1,6}$/;
export function quarterTurns(value: string): number | undefined {
  if (!DEGREES.test(value)) return undefined;
  const degrees = Number(value);
  return degrees % 90 === 0 ? degrees / 90 : undefined;
}
