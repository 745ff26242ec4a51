import type { DeliveryOptions, Fit, Format, Gravity } from "../../delivery/options";
import { parseAspectRatio, parseDigits, toBlur, toDpr } from "../numbers";

/**
 * Cloudinary transformation components → Images delivery options.
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
export interface Translation {
  options: DeliveryOptions;
  namedVariant: string | undefined;
}

type NamedTransformations = Record<string, string>;

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

/** The size part of one resize component. */
interface Resize {
  width?: number;
  height?: number;
  fit?: Fit;
  gravity?: Gravity;
}

/** What the chain read so far decides: the last resize, and the last value of each other option. */
interface Chain {
  resize: Resize;
  rest: DeliveryOptions;
  namedVariant: string | undefined;
}

export function translateChain(components: string[], named: unknown): Translation {
  const names = typeof named === "object" && named !== null ? (named as NamedTransformations) : undefined;
  const chain: Chain = { resize: {}, rest: {}, namedVariant: undefined };
  for (const params of baseImageComponents(components)) applyComponent(params, chain, names);
  return { options: present({ ...chain.resize, ...chain.rest }), namedVariant: chain.namedVariant };
}

/**
 * The components that apply to the base image unconditionally, each split into its params:
 * conditional blocks and layer components are left out.
 */
function* baseImageComponents(components: string[]): Generator<string[]> {
  let conditionalDepth = 0;
  for (let k = 0; k < components.length; k++) {
    const params = components[k]!.split(",");
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
    if (conditionalDepth > 0 || layerApply) continue;
    if (hasLayer) {
      k = layerEnd(components, k);
      continue;
    }
    yield params;
  }
}

/**
 * Index of the component that closes the layer opened at `k`: its matching `fl_layer_apply`
 * (layers nest), else the first later `fl_layer_apply`, else `k` itself (an old-style
 * self-contained `l_…,w_…,g_…` component).
 */
function layerEnd(components: string[], k: number): number {
  let depth = 1;
  let firstApply = -1;
  for (let m = k + 1; m < components.length; m++) {
    const seg = components[m]!;
    if (seg.indexOf("fl_layer_apply") !== -1) {
      if (firstApply === -1) firstApply = m;
      if (--depth === 0) return m;
    } else if (LAYER_PARAM.test(seg)) {
      depth++;
    }
  }
  return firstApply === -1 ? k : firstApply;
}

/** Reads one base-image component into `chain`. */
function applyComponent(params: string[], chain: Chain, named: NamedTransformations | undefined): void {
  let resize = false;
  const size: Resize = {};
  let ratio: number | undefined;
  const rest = chain.rest;
  for (const p of params) {
    const us = p.indexOf("_");
    const name = p.slice(0, us);
    const value = p.slice(us + 1);
    switch (name) {
      case "w":
        resize = true;
        size.width = positive(parseDigits(value));
        break;
      case "h":
        resize = true;
        size.height = positive(parseDigits(value));
        break;
      case "c":
        size.fit = own(FITS, value);
        break;
      case "g":
        size.gravity = toGravity(value);
        break;
      case "ar":
        ratio = parseAspectRatio(value);
        break;
      case "q":
        rest.quality = toQuality(value);
        break;
      case "f":
        rest.format = value.startsWith("auto:") ? "auto" : own(FORMATS, value);
        break;
      case "dpr":
        rest.dpr = toDpr(value);
        break;
      case "e":
        applyEffect(value, rest);
        break;
      case "t":
        if (named) {
          for (const t of value.split(".")) {
            const variant = lookupNamed(named, t);
            if (variant !== undefined) chain.namedVariant = variant;
          }
        }
        break;
    }
  }
  if (!resize) return;
  if (ratio !== undefined) {
    if (size.width !== undefined && size.height === undefined) {
      size.height = Math.max(1, Math.round(size.width / ratio));
    } else if (size.height !== undefined && size.width === undefined) {
      size.width = Math.max(1, Math.round(size.height * ratio));
    }
  }
  chain.resize = size.width === undefined && size.height === undefined ? {} : size;
}

/** `e_blur[:n]` and `e_sharpen[:n]`; other effects have no Images word. */
function applyEffect(value: string, out: DeliveryOptions): void {
  let m = BLUR.exec(value);
  if (m) {
    out.blur = toBlur(m[1] === undefined ? 100 : Number(m[1]));
    return;
  }
  m = SHARPEN.exec(value);
  if (m) {
    const s = m[1] === undefined ? 100 : Number(m[1]);
    out.sharpen = Math.min(10, Math.max(1, Math.round(s / 100)));
  }
}

/** `q_80`, `q_80:420` → 80; `q_auto…` and values outside 1–100 → no quality. */
function toQuality(value: string): number | undefined {
  const m = QUALITY.exec(value);
  const q = m ? Number(m[1]) : 0;
  return q >= 1 && q <= 100 ? q : undefined;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `options` without the keys whose value is `undefined`: an option the URL did not ask for is absent. */
function present(options: DeliveryOptions): DeliveryOptions {
  for (const key of Object.keys(options) as Array<keyof DeliveryOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
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
function lookupNamed(named: NamedTransformations, name: string): string | undefined {
  const prefixed = "t_" + name;
  let v: unknown;
  if (Object.hasOwn(named, prefixed)) v = named[prefixed];
  else if (Object.hasOwn(named, name)) v = named[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}
