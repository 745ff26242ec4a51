import type { DeliveryOptions } from "../../delivery/options";
import { toBlur } from "../numbers";
import { toBackground } from "./params";

/**
 * `e_<effect>[:<level>…]` → Images options. Colour adjustments are factors that multiply along
 * a chain (1 = unchanged): Cloudinary's levels are percentages of change, so level n → 1 + n/100
 * (`e_saturation:-100` and `e_grayscale` → saturation 0). Defaults are Cloudinary's: blur 100,
 * sharpen 100, brightness 80, saturation 80, contrast 0, gamma 0.
 */
export interface Adjustments {
  brightness?: number;
  contrast?: number;
  gamma?: number;
  saturation?: number;
}

const LEVEL = /^-?\d{1,4}$/;

/** Applies `value` (the part after `e_`); false when Images has no equivalent. */
export function applyEffect(
  value: string,
  out: DeliveryOptions,
  adjust: Adjustments,
  note: (reason: string) => void,
): boolean {
  const colon = value.indexOf(":");
  const name = colon === -1 ? value : value.slice(0, colon);
  const arg = colon === -1 ? undefined : value.slice(colon + 1);
  switch (name) {
    case "blur": {
      const n = level(arg, 100, 1, 2000, note);
      if (n !== undefined) out.blur = toBlur(n);
      return true;
    }
    case "sharpen": {
      const n = level(arg, 100, 1, 2000, note);
      if (n !== undefined) out.sharpen = Math.min(10, Math.max(1, Math.round(n / 100)));
      return true;
    }
    case "grayscale":
    case "greyscale":
      adjust.saturation = 0;
      return true;
    case "saturation":
      return multiply(adjust, "saturation", level(arg, 80, -100, 100, note));
    case "brightness":
      return multiply(adjust, "brightness", level(arg, 80, -99, 100, note));
    case "contrast":
      return multiply(adjust, "contrast", level(arg, 0, -100, 100, note));
    case "gamma":
      return multiply(adjust, "gamma", level(arg, 0, -50, 150, note));
    case "trim":
      return trim(arg, out, note);
    default:
      return false;
  }
}

/** `e_trim[:<tolerance>][:<colour>]` → Images' automatic border trim. */
function trim(arg: string | undefined, out: DeliveryOptions, note: (reason: string) => void): boolean {
  const [tolerance, color] = arg === undefined ? [] : arg.split(":");
  let css: string | undefined;
  if (color !== undefined) {
    css = toBackground(color);
    if (css === undefined) note("trim colour must be rgb:<hex> or a CSS colour name; detected automatically");
  }
  if (tolerance !== undefined && tolerance !== "")
    note("trim tolerance has no Images equivalent scale; Images' default is used");
  out.trim = css === undefined ? { border: true } : { border: true, color: css };
  return true;
}

/** The effect's level: its default when absent, clamped to the documented range; undefined if malformed. */
function level(
  arg: string | undefined,
  fallback: number,
  min: number,
  max: number,
  note: (reason: string) => void,
): number | undefined {
  if (arg === undefined || arg === "") return fallback;
  if (!LEVEL.test(arg)) {
    note("malformed effect level");
    return undefined;
  }
  return Math.min(max, Math.max(min, Number(arg)));
}

function multiply(adjust: Adjustments, name: keyof Adjustments, n: number | undefined): boolean {
  if (n !== undefined) adjust[name] = (adjust[name] ?? 1) * Math.max(0, 1 + n / 100);
  return true;
}
