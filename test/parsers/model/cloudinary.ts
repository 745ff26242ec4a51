import type { Size } from "./images";

/**
 * What Cloudinary delivers for a chain of transformation components, as its documentation
 * describes the modes (cloudinary.com/documentation/image_resize_modes, image_crop_modes,
 * image_padding_modes): only the output size, computed step by step on concrete numbers.
 *
 * Each component resizes the previous component's output, then rotates it (`angle`). Sizes are
 * pixels; `dpr` (the chain's last) multiplies every `width`/`height`. Every component outputs an
 * image, so every intermediate size is rounded to whole pixels. `aspect_ratio` with one
 * dimension derives the other. Without `crop`, Cloudinary scales.
 *
 * - scale: exactly the box (one dimension: keeps the aspect ratio, enlarges).
 * - fit: as large as fits in the box; limit: the same, never enlarging; mfit: never shrinking.
 * - fill, fill_pad, auto: exactly the box (cut). pad, lpad, mpad: exactly the box (padded).
 * - lfill, thumb: fill without enlarging: scaled by min(1, max(w/W, h/H)), cut to at most the box
 *   (taken from Cloudinary's "not resized if smaller" and its 400×200→800×100 lfill = 400×100).
 * - crop: a region of the box at `x`,`y` (or the gravity) without scaling, within the image.
 * With one dimension, every mode keeps the aspect ratio (limit/lfill/thumb never enlarge, mfit never
 * shrinks, crop keeps the other dimension whole).
 */
export interface Component {
  width?: number;
  height?: number;
  crop?: string;
  gravity?: string;
  aspect_ratio?: string;
  angle?: number | string;
  x?: number;
  y?: number;
  dpr?: number;
  effect?: string;
  quality?: number;
}

export function cloudinaryOutput(original: Size, chain: Component[]): Size {
  const dpr = chain.reduce<number>((d, c) => c.dpr ?? d, 1);
  let { width: W, height: H } = original;
  for (const c of chain) {
    const [w, h] = resize(W, H, c, dpr);
    [W, H] = [Math.max(1, Math.round(w)), Math.max(1, Math.round(h))];
    if (typeof c.angle === "number" && ((c.angle / 90) % 2 === 1 || (c.angle / 90) % 2 === -1))
      [W, H] = [H, W];
  }
  return { width: W, height: H };
}

function resize(W: number, H: number, c: Component, dpr: number): [number, number] {
  let w = c.width === undefined ? undefined : Math.round(c.width * dpr);
  let h = c.height === undefined ? undefined : Math.round(c.height * dpr);
  if (c.aspect_ratio !== undefined && (w === undefined) !== (h === undefined)) {
    const [a, b] = c.aspect_ratio.split(":").map(Number) as [number, number?];
    const ratio = b === undefined ? a : a / b;
    if (w !== undefined) h = Math.max(1, Math.round(w / ratio));
    else w = Math.max(1, Math.round(h! * ratio));
  }
  if (w === undefined && h === undefined) return [W, H];
  const mode = c.crop ?? "scale";
  if (w === undefined || h === undefined) {
    if (mode === "crop") return w !== undefined ? [Math.min(w, W), H] : [W, Math.min(h!, H)];
    let s = w !== undefined ? w / W : h! / H;
    if (mode === "limit" || mode === "lfill" || mode === "thumb") s = Math.min(1, s);
    if (mode === "mfit") s = Math.max(1, s);
    return [W * s, H * s];
  }
  switch (mode) {
    case "fit":
    case "limit":
    case "mfit": {
      let s = Math.min(w / W, h / H);
      if (mode === "limit") s = Math.min(1, s);
      if (mode === "mfit") s = Math.max(1, s);
      return [W * s, H * s];
    }
    case "lfill":
    case "thumb": {
      const s = Math.min(1, Math.max(w / W, h / H));
      return [Math.min(w, W * s), Math.min(h, H * s)];
    }
    case "crop":
      return [Math.min(w, W - (c.x ?? 0) * dpr), Math.min(h, H - (c.y ?? 0) * dpr)];
    default:
      return [w, h];
  }
}
