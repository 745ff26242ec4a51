import type { Size } from "./images";

/**
 * What imgix delivers for a set of params, as its documentation describes them
 * (docs.imgix.com/apis/rendering/size): only the output size.
 *
 * `rect=x,y,w,h` cuts the source first; then `w`/`h` × `dpr` with `fit` (default clip):
 * clip → as large as fits (enlarges), max → the same, never enlarging, crop/facearea/fill/fillmax/
 * clamp/scale → exactly the box, min → the box's aspect ratio, never larger than the source.
 * `ar` (with fit=crop and one dimension) derives the other; `max-w`/`max-h` (with fit=crop) scale a
 * larger box down keeping its ratio. With one dimension every fit keeps the aspect ratio (max
 * and min never enlarge). `rot` by 90/270 swaps the output's axes (imgix rotates after resizing).
 */
export type Params = Record<string, string | number>;

export function imgixOutput(original: Size, p: Params): Size {
  let { width: W, height: H } = original;
  if (p.rect !== undefined) {
    const [, , rw, rh] = String(p.rect).split(",").map(Number) as [number, number, number, number];
    [W, H] = [rw, rh];
  }
  const dpr = p.dpr === undefined ? 1 : Math.min(2, Number(p.dpr));
  const fit = String(p.fit ?? "clip");
  let w = p.w === undefined ? undefined : Number(p.w);
  let h = p.h === undefined ? undefined : Number(p.h);
  if (fit === "crop" && p.ar !== undefined && (w === undefined) !== (h === undefined)) {
    const [a, b] = String(p.ar).split(":").map(Number) as [number, number];
    if (w !== undefined) h = Math.max(1, Math.round((w * b) / a));
    else w = Math.max(1, Math.round((h! * a) / b));
  }
  if (fit === "crop" && p["max-w"] !== undefined && w !== undefined && w > Number(p["max-w"])) {
    const m = Number(p["max-w"]);
    [w, h] = [m, h === undefined ? h : Math.max(1, Math.round((h * m) / w))];
  }
  if (fit === "crop" && p["max-h"] !== undefined && h !== undefined && h > Number(p["max-h"])) {
    const m = Number(p["max-h"]);
    [w, h] = [w === undefined ? w : Math.max(1, Math.round((w * m) / h)), m];
  }
  let out: [number, number];
  if (w === undefined && h === undefined) out = [W, H];
  else {
    w = w === undefined ? undefined : Math.round(w * dpr);
    h = h === undefined ? undefined : Math.round(h * dpr);
    out = resize(W, H, fit, w, h);
  }
  const rot = Number(p.rot ?? 0);
  if (rot % 180 === 90) out = [out[1], out[0]];
  return { width: Math.max(1, Math.round(out[0])), height: Math.max(1, Math.round(out[1])) };
}

function resize(W: number, H: number, fit: string, w?: number, h?: number): [number, number] {
  const neverEnlarges = fit === "max" || fit === "min";
  if (w === undefined || h === undefined) {
    let s = w !== undefined ? w / W : h! / H;
    if (neverEnlarges) s = Math.min(1, s);
    return [W * s, H * s];
  }
  switch (fit) {
    case "clip":
    case "max": {
      let s = Math.min(w / W, h / H);
      if (fit === "max") s = Math.min(1, s);
      return [W * s, H * s];
    }
    case "min": {
      if (w <= W && h <= H) return [w, h];
      const ratio = w / h;
      return W / H > ratio ? [H * ratio, H] : [W, W / ratio];
    }
    default:
      return [w, h];
  }
}
