/**
 * Cloudflare Images delivery options, in Images' own words. A legacy transformation is translated
 * into this shape by the parsers; an option the legacy URL did not ask for is absent.
 */
export const FITS = ["scale-down", "contain", "cover", "crop", "pad", "squeeze"] as const;
export const GRAVITIES = ["auto", "face", "top", "bottom", "left", "right"] as const;
export const FORMATS = ["auto", "avif", "webp", "jpeg", "png", "gif", "baseline-jpeg", "json"] as const;

export type Fit = (typeof FITS)[number];
export type Gravity = (typeof GRAVITIES)[number];
export type Format = (typeof FORMATS)[number];

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
}

/** Flexible-variant parameter names, in the order they are written into the variant string. */
const FLEXIBLE_KEYS: ReadonlyArray<[keyof DeliveryOptions, string]> = [
  ["width", "w"],
  ["height", "h"],
  ["fit", "fit"],
  ["gravity", "gravity"],
  ["quality", "quality"],
  ["format", "format"],
  ["dpr", "dpr"],
  ["blur", "blur"],
  ["sharpen", "sharpen"],
];

/** `w=400,h=300,fit=cover,gravity=face,quality=80,format=auto`, or "" when no option is set. */
export function flexibleVariant(options: DeliveryOptions): string {
  const parts: string[] = [];
  for (const [name, param] of FLEXIBLE_KEYS) {
    const value = options[name];
    if (value !== undefined) parts.push(`${param}=${value}`);
  }
  return parts.join(",");
}

export function hasOptions(options: DeliveryOptions): boolean {
  for (const key in options) if (options[key as keyof DeliveryOptions] !== undefined) return true;
  return false;
}
