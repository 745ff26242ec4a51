/**
 * Cloudflare Images delivery options, in Images' own words. A legacy transformation is translated
 * into this shape by the parsers; an option the legacy URL did not ask for is absent.
 *
 * Each option is written into the flexible-variant string with Images' own parameter name and
 * syntax (developers.cloudflare.com/images/optimization/features/).
 */
export const FITS = ["scale-down", "contain", "cover", "crop", "pad", "squeeze"] as const;
export const GRAVITY_WORDS = ["auto", "face", "top", "bottom", "left", "right"] as const;
export const FORMATS = ["auto", "avif", "webp", "jpeg", "png", "gif", "baseline-jpeg", "json"] as const;
export const FLIPS = ["h", "v", "hv"] as const;
export const ROTATIONS = [90, 180, 270] as const;

export type Fit = (typeof FITS)[number];
/** A side or a detector, or a focal point `XxY` (fractions of the width and height, 0–1). */
export type Gravity = (typeof GRAVITY_WORDS)[number] | `${number}x${number}`;
export type Format = (typeof FORMATS)[number];
export type Flip = (typeof FLIPS)[number];
export type Rotation = (typeof ROTATIONS)[number];

/**
 * Images' `trim`, performed before resizing and rotation. Either pixels cut from the sides
 * (`top;right;bottom;left`), a rectangle kept from the top left corner (`trim.top`, `trim.left`,
 * `trim.width`, `trim.height`), or `border`: the border of one colour is cut automatically.
 */
export type Trim =
  | { top: number; right: number; bottom: number; left: number }
  | { top: number; left: number; width: number; height: number }
  | { border: true; color?: string };

export interface DeliveryOptions {
  width?: number;
  height?: number;
  fit?: Fit;
  gravity?: Gravity;
  quality?: number;
  format?: Format;
  dpr?: number;
  blur?: number;
  sharpen?: number;
  rotate?: Rotation;
  flip?: Flip;
  /** A CSS colour: `#rrggbb`, `#rrggbbaa` or a CSS colour name. */
  background?: string;
  /** Factors: 1 = unchanged. */
  brightness?: number;
  contrast?: number;
  gamma?: number;
  /** Factor: 1 = unchanged, 0 = grayscale. */
  saturation?: number;
  trim?: Trim;
}

type Scalar = Exclude<keyof DeliveryOptions, "trim">;

/** Flexible-variant parameter names, in the order they are written into the variant string. */
const FLEXIBLE_KEYS: ReadonlyArray<[Scalar, string]> = [
  ["width", "w"],
  ["height", "h"],
  ["fit", "fit"],
  ["gravity", "gravity"],
  ["quality", "quality"],
  ["format", "format"],
  ["dpr", "dpr"],
  ["blur", "blur"],
  ["sharpen", "sharpen"],
  ["rotate", "rotate"],
  ["flip", "flip"],
  ["background", "background"],
  ["brightness", "brightness"],
  ["contrast", "contrast"],
  ["gamma", "gamma"],
  ["saturation", "saturation"],
];

/**
 * `w=400,h=300,fit=cover,gravity=face,quality=80,format=auto`, or "" when no option is set.
 * A colour's `#` is written `%23` (the variant is a path segment); `trim` comes last, as
 * `trim=t;r;b;l`, `trim.top=…,trim.left=…,trim.width=…,trim.height=…` or `trim=border`.
 */
export function flexibleVariant(options: DeliveryOptions): string {
  const parts: string[] = [];
  for (const [name, param] of FLEXIBLE_KEYS) {
    const value = options[name];
    if (value === undefined) continue;
    parts.push(`${param}=${typeof value === "string" ? value.replace("#", "%23") : value}`);
  }
  const trim = options.trim;
  if (trim !== undefined) {
    if ("border" in trim) {
      parts.push("trim=border");
      if (trim.color !== undefined) parts.push(`trim.border.color=${trim.color.replace("#", "%23")}`);
    } else if ("width" in trim) {
      parts.push(
        `trim.top=${trim.top}`,
        `trim.left=${trim.left}`,
        `trim.width=${trim.width}`,
        `trim.height=${trim.height}`,
      );
    } else {
      parts.push(`trim=${trim.top};${trim.right};${trim.bottom};${trim.left}`);
    }
  }
  return parts.join(",");
}

export function hasOptions(options: DeliveryOptions): boolean {
  for (const key in options) if (options[key as keyof DeliveryOptions] !== undefined) return true;
  return false;
}
