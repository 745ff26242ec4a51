import type { DeliveryOptions, Trim } from "../../delivery/options";
import { parseAspectRatio, parseDigits, toDpr } from "../numbers";
import { type Focus, mirror, turn } from "../resize/orientation";
import { type ResizeKind, Resizes } from "../resize/compose";
import type { Dropped } from "../types";
import { countStep } from "../work";
import { baseComponents } from "./components";
import { applyEffect, type Adjustments } from "./effects";
import { clipParam, CROP_MODES, FORMATS, own, quarterTurns, toBackground, toFocus } from "./params";

/**
 * Cloudinary transformation components → Images delivery options.
 *
 * A chain is composed as Cloudinary applies it (../resize/compose): each component resizes the
 * previous component's output, then rotates/mirrors it (`a_`), then applies its effects. The
 * final size, crop and orientation become the options; a resize that cannot be folded into the
 * earlier ones decides the size alone and is listed in `dropped`.
 *
 * - `w_`/`h_` in pixels (digits); `ar_` derives the missing one. Relative, automatic and variable
 *   sizes (`w_0.5`, `w_auto`, `w_$w`, `w_iw`) cannot be expressed: the chain then emits no size.
 * - `c_` as in ./params `CROP_MODES` (default `scale`), `g_` as a focus (./params `toFocus`).
 * - `c_crop` with `x_`/`y_` in pixels (or `g_north_west`) as the first resize is Images' `trim`.
 * - `q_`, `f_`, `dpr_`, `e_blur`, `e_sharpen`, `b_`: the last occurrence wins (a value that cannot
 *   be expressed, `q_auto`, `f_tiff`, removes the option). `e_brightness`, `e_contrast`, `e_gamma`,
 *   `e_saturation`, `e_grayscale` multiply. `q_80:420` → 80.
 * - `t_<name>`: the last name found in `namedTransformations` wins (`t_a.b` looked up name by name).
 * - Everything else, and every malformed value (`w_abc`, `ar_0`), is listed in `dropped`; a
 *   transformation never makes a URL fail.
 */
export interface Translation {
  options: DeliveryOptions;
  namedVariant: string | undefined;
  dropped: Dropped[];
}

type NamedTransformations = Record<string, string>;

const QUALITY = /^(\d{1,3})(?::[a-z0-9_]+)?$/;
/** Sizes Cloudinary computes from the original or the client: relative, `auto`, variables, `iw`/`ih`. */
const UNEXPRESSIBLE = /^(?:\d*\.\d+|auto.*|\$.*|i[wh].*)$/;
const OFFSET = /^\d{1,9}$/;

/** Params that never reach a base component's reading (handled by ./components). */
const NO_EQUIVALENT = "no Images equivalent";

export function translateChain(components: string[], named: unknown): Translation {
  const names = typeof named === "object" && named !== null ? (named as NamedTransformations) : undefined;
  const reader = new ChainReader(names);
  for (const component of baseComponents(components, reader.dropped))
    reader.read(component.text, component.params);
  return reader.result();
}

/** The resize params of one component, still as written. */
interface SizeParams {
  w?: string;
  h?: string;
  c?: string;
  g?: string;
  ar?: string;
  x?: string;
  y?: string;
}

class ChainReader {
  readonly dropped: Dropped[] = [];
  private readonly resizes = new Resizes();
  private readonly options: DeliveryOptions = {};
  private readonly adjustments: Adjustments = {};
  private trim: Trim | undefined;
  private namedVariant: string | undefined;

  constructor(private readonly named: NamedTransformations | undefined) {}

  read(text: string, params: string[]): void {
    const size: SizeParams = {};
    const angles: string[] = [];
    for (const p of params) {
      countStep();
      const us = p.indexOf("_");
      const name = us === -1 ? p : p.slice(0, us);
      const value = us === -1 ? "" : p.slice(us + 1);
      switch (name) {
        case "w":
        case "h":
        case "c":
        case "g":
        case "ar":
        case "x":
        case "y":
          size[name] = value;
          break;
        case "a":
          angles.push(value);
          break;
        default:
          this.readOther(p, name, value);
      }
    }
    this.readSize(text, size);
    for (const a of angles) this.readAngle(a);
  }

  result(): Translation {
    const options: DeliveryOptions = { ...this.resizes.options(), ...this.options };
    Object.assign(options, this.adjustmentOptions());
    if (this.trim !== undefined) {
      if (options.trim !== undefined) this.drop("e_trim", "a pixel crop (x_/y_) is already Images' trim");
      options.trim = this.trim;
      // Images multiplies a trim by dpr, Cloudinary's x_/y_/w_/h_ of a crop are pixels of the original.
      if (options.dpr !== undefined) {
        this.drop(`dpr_${options.dpr}`, "dpr together with a pixel crop (x_/y_) cannot be expressed");
        delete options.dpr;
      }
    }
    return { options: present(options), namedVariant: this.namedVariant, dropped: this.dropped };
  }

  private drop(param: string, reason: string): void {
    this.dropped.push({ param: clipParam(param), reason });
  }

  private readOther(p: string, name: string, value: string): void {
    switch (name) {
      case "q": {
        const m = QUALITY.exec(value);
        const q = m ? Number(m[1]) : 0;
        if (q >= 1 && q <= 100) this.options.quality = q;
        else {
          delete this.options.quality;
          if (!value.startsWith("auto")) this.drop(p, "quality must be 1–100 or auto");
        }
        return;
      }
      case "f": {
        const format = value.startsWith("auto:") ? "auto" : own(FORMATS, value);
        if (format !== undefined) this.options.format = format;
        else {
          delete this.options.format;
          this.drop(p, "format Images does not deliver");
        }
        return;
      }
      case "dpr": {
        const dpr = toDpr(value);
        if (dpr === undefined) {
          delete this.options.dpr;
          this.drop(p, "dpr must be a positive number (dpr_auto needs client hints)");
        } else {
          this.options.dpr = dpr;
          if (dpr < Number(value)) this.drop(p, "dpr capped at 2");
        }
        return;
      }
      case "e":
        if (!applyEffect(value, this.options, this.adjustments, (reason) => this.drop(p, reason))) {
          this.drop(p, `effect with ${NO_EQUIVALENT}`);
        }
        return;
      case "b": {
        const color = toBackground(value);
        if (color !== undefined) this.options.background = color;
        else this.drop(p, "background must be rgb:<hex> or a CSS colour name");
        return;
      }
      case "t":
        this.readNamed(p, value);
        return;
      default:
        this.drop(p, NO_EQUIVALENT);
    }
  }

  private readNamed(p: string, value: string): void {
    for (const t of value.split(".")) {
      const variant = this.named ? lookupNamed(this.named, t) : undefined;
      if (variant !== undefined) this.namedVariant = variant;
      else
        this.drop(
          t === value ? p : `t_${t}`,
          "named transformation not in the source's namedTransformations",
        );
    }
  }

  private readAngle(value: string): void {
    const r = this.resizes;
    for (const mode of value.split(".")) {
      const q = quarterTurns(mode);
      if (q !== undefined) r.reorient(turn(r.oriented, q));
      else if (mode === "hflip") r.reorient(mirror(r.oriented, "h"));
      else if (mode === "vflip") r.reorient(mirror(r.oriented, "v"));
      else this.drop(`a_${mode}`, "Images rotates by 90, 180 or 270 degrees only");
    }
  }

  /** The component's resize, folded into the chain. */
  private readSize(text: string, s: SizeParams): void {
    const modeName = s.c ?? "scale";
    let mode = own(CROP_MODES, modeName);
    if (mode === undefined) {
      this.drop(`c_${modeName}`, "unknown crop mode; served as scale");
      mode = CROP_MODES.scale!;
    }
    const size = this.readDimensions(text, s, mode.kind);
    if (size === undefined) return;
    const { width, height } = size;
    const focus = this.readFocus(s, modeName, mode.kind);

    if (mode.kind === "extract" && this.readPixelCrop(text, s, width, height)) return;
    if (s.x !== undefined) this.drop(`x_${s.x}`, "x_/y_ position only a first c_crop in pixels");
    if (s.y !== undefined) this.drop(`y_${s.y}`, "x_/y_ position only a first c_crop in pixels");
    if (mode.kind === "extract" && (width === undefined || height === undefined)) {
      this.drop(text, "a one-sided c_crop depends on the original's size; no size is carried");
      this.resizes.addUnknown(false);
      return;
    }
    if (mode.approximated !== undefined) this.drop(`c_${modeName}`, mode.approximated);
    if (mode.kind === "extract") {
      this.drop(`c_crop`, "Images cannot cut a region without scaling; served as crop (same size, scaled)");
    }
    // Without c_, Cloudinary scales: one dimension keeps the aspect ratio, as Images' default fit
    // does, so no fit is written; two dimensions distort: squeeze.
    const fit = s.c === undefined && (width === undefined || height === undefined) ? undefined : mode.fit;
    const exact = this.resizes.add({
      kind: mode.kind,
      ...(width !== undefined ? { width } : {}),
      ...(height !== undefined ? { height } : {}),
      ...(focus !== undefined ? { focus } : {}),
      fit,
    });
    if (!exact) {
      this.drop(text, "cannot be composed exactly with the earlier resizes; it decides the size alone");
    }
  }

  /**
   * `w_`/`h_` in pixels, the missing one derived from `ar_`; undefined when the component has no
   * size to carry (none asked for, or one that cannot be expressed: then the chain's size is unknown).
   */
  private readDimensions(
    text: string,
    s: SizeParams,
    kind: ResizeKind,
  ): { width?: number; height?: number } | undefined {
    if ((s.w !== undefined && UNEXPRESSIBLE.test(s.w)) || (s.h !== undefined && UNEXPRESSIBLE.test(s.h))) {
      this.drop(text, "relative, automatic or variable sizes cannot be expressed; no size is carried");
      this.resizes.addUnknown(kind === "contain" || kind === "scale-down" || kind === "pad");
      return undefined;
    }
    let width = this.pixels("w", s.w);
    let height = this.pixels("h", s.h);
    let ratio: number | undefined;
    if (s.ar !== undefined) {
      ratio = parseAspectRatio(s.ar);
      if (ratio === undefined) this.drop(`ar_${s.ar}`, "malformed aspect ratio");
    }
    if (width === undefined && height === undefined) {
      if (ratio !== undefined) {
        this.drop(text, "an aspect ratio without w_/h_ depends on the original's size; no size is carried");
        this.resizes.addUnknown(false);
        return undefined;
      }
      for (const name of ["c", "g", "x", "y"] as const) {
        const v = s[name];
        if (v !== undefined && !(name === "c" && v === "scale")) this.drop(`${name}_${v}`, "needs w_ or h_");
      }
      return undefined;
    }
    if (ratio !== undefined) {
      if (height === undefined) height = Math.max(1, Math.round(width! / ratio));
      else if (width === undefined) width = Math.max(1, Math.round(height * ratio));
    }
    return { ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) };
  }

  /** A positive size in pixels; anything else but a relative/automatic size is malformed. */
  private pixels(name: "w" | "h", value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const n = parseDigits(value);
    if (n !== undefined && n > 0) return n;
    this.drop(`${name}_${value}`, "malformed size");
    return undefined;
  }

  /** `g_` as a focus (c_auto focuses automatically); a padded image cannot be placed. */
  private readFocus(s: SizeParams, modeName: string, kind: ResizeKind): Focus | undefined {
    let focus = s.g === undefined ? undefined : toFocus(s.g);
    if (s.g !== undefined && focus === undefined) this.drop(`g_${s.g}`, `gravity with ${NO_EQUIVALENT}`);
    if (focus === undefined && (modeName === "auto" || modeName === "imagga_crop")) focus = "auto";
    if (kind === "pad" && s.g !== undefined && s.g !== "center")
      this.drop(`g_${s.g}`, "Images centres a padded image");
    return focus;
  }

  /** `c_crop` with pixel `x_`/`y_` (or `g_north_west`) as the first resize: Images' trim. */
  private readPixelCrop(text: string, s: SizeParams, width?: number, height?: number): boolean {
    const positioned = s.x !== undefined || s.y !== undefined;
    const fromCorner = s.g === undefined || s.g === "north_west";
    if (!(positioned ? fromCorner : s.g === "north_west")) return false;
    const left = s.x === undefined ? 0 : OFFSET.test(s.x) ? Number(s.x) : undefined;
    const top = s.y === undefined ? 0 : OFFSET.test(s.y) ? Number(s.y) : undefined;
    if (left === undefined || top === undefined || width === undefined || height === undefined) return false;
    if (!this.resizes.untouched || this.trim !== undefined) {
      this.drop(text, "a pixel crop after another resize or rotation depends on the original's size");
      this.resizes.addUnknown(false);
      return true;
    }
    this.trim = { top, left, width, height };
    return true;
  }

  private adjustmentOptions(): DeliveryOptions {
    const out: DeliveryOptions = {};
    for (const name of ["brightness", "contrast", "gamma", "saturation"] as const) {
      const factor = this.adjustments[name];
      if (factor === undefined || factor === 1) continue;
      // Images ignores 0 for all but saturation (where 0 is grayscale): keep the darkest step.
      const rounded = Math.round(factor * 100) / 100;
      out[name] = name === "saturation" ? rounded : Math.max(0.01, rounded);
    }
    return out;
  }
}

/** `t_<name>` through `namedTransformations`, whose keys may be written with or without `t_`. */
function lookupNamed(named: NamedTransformations, name: string): string | undefined {
  const prefixed = "t_" + name;
  let v: unknown;
  if (Object.hasOwn(named, prefixed)) v = named[prefixed];
  else if (Object.hasOwn(named, name)) v = named[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** `options` without the keys whose value is `undefined`: an option the URL did not ask for is absent. */
function present(options: DeliveryOptions): DeliveryOptions {
  for (const key of Object.keys(options) as Array<keyof DeliveryOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}
