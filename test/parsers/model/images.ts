import type { DeliveryOptions } from "../../../src/delivery/options";

/**
 * What Cloudflare Images delivers for a set of flexible-variant options, as its documentation
 * describes it (developers.cloudflare.com/images/optimization/features/): only the output size.
 *
 * - `trim` is applied first (and is multiplied by `dpr`), then `rotate` (90/270 swap the axes),
 *   then the resize to `width`/`height` × `dpr` with `fit` (the result rounded to whole pixels):
 *   `scale-down` (never enlarges), `contain` (the default), `cover` and `squeeze` (exactly the
 *   box), `crop` (cover that never enlarges: scaled by min(1, max(w/W, h/H)), cut to the box),
 *   `pad` (exactly the box).
 * - With one dimension only, every fit scales to it keeping the aspect ratio (`scale-down` and
 *   `crop` never enlarging), as documented for `contain`.
 * - `trim=border` removes an amount that depends on the pixels: the size is unknown.
 */
export interface Size {
  width: number;
  height: number;
}

export function imagesOutput(original: Size, o: DeliveryOptions): Size | "unknown" {
  let { width: w, height: h } = original;
  const dpr = o.dpr ?? 1;
  if (o.trim !== undefined) {
    if ("border" in o.trim) return "unknown";
    const t = o.trim;
    if ("width" in t) {
      const [left, top, tw, th] = [t.left, t.top, t.width, t.height].map((v) => v * dpr) as [
        number,
        number,
        number,
        number,
      ];
      if (left + tw > w || top + th > h) return "unknown";
      [w, h] = [tw, th];
    } else {
      w -= (t.left + t.right) * dpr;
      h -= (t.top + t.bottom) * dpr;
      if (w <= 0 || h <= 0) return "unknown";
    }
  }
  if (o.rotate === 90 || o.rotate === 270) [w, h] = [h, w];
  const bw = o.width === undefined ? undefined : Math.round(o.width * dpr);
  const bh = o.height === undefined ? undefined : Math.round(o.height * dpr);
  if (bw === undefined && bh === undefined) return { width: w, height: h };
  const fit = o.fit ?? "contain";
  const neverEnlarges = fit === "scale-down" || fit === "crop";
  if (bw === undefined || bh === undefined) {
    let s = bw !== undefined ? bw / w : bh! / h;
    if (neverEnlarges) s = Math.min(1, s);
    return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
  }
  switch (fit) {
    case "scale-down":
    case "contain": {
      let s = Math.min(bw / w, bh / h);
      if (fit === "scale-down") s = Math.min(1, s);
      return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
    }
    case "crop": {
      const s = Math.min(1, Math.max(bw / w, bh / h));
      return {
        width: Math.min(bw, Math.max(1, Math.round(w * s))),
        height: Math.min(bh, Math.max(1, Math.round(h * s))),
      };
    }
    default:
      return { width: Math.round(bw), height: Math.round(bh) };
  }
}

/**
 * Two sizes equal up to rounding: 2 pixels or 2 % of the size (a chain rounds every step to whole
 * pixels, and a later step may enlarge that rounding).
 */
export function sameSize(a: Size, b: Size): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= Math.max(2, 0.02 * Math.max(x, y));
  return close(a.width, b.width) && close(a.height, b.height);
}
