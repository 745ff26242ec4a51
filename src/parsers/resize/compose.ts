import type { DeliveryOptions, Fit } from "../../delivery/options";
import {
  type Focus,
  type Orientation,
  imagesGravity,
  imagesOrientation,
  orientPoint,
  swapsAxes,
  unorientPoint,
  UPRIGHT,
} from "./orientation";

/**
 * Composition of legacy resizes into one Images resize.
 *
 * A legacy chain resizes the output of the previous step; Images resizes the original once. Each
 * step is a `ResizeOp`; `Resizes` keeps what the steps so far produce as a `State` (sizes in the
 * original's frame, see ./orientation) and says when a step cannot be folded in exactly: then
 * that step alone decides the size (as "the last resize wins" did) and `add` returns false, so
 * the caller can list it as approximated.
 *
 * What a step does to an image of W×H (both vendors' documented modes, in Images' words; with
 * one dimension only, every kind scales to it keeping the aspect ratio, `scale-down` and `crop`
 * without enlarging):
 * - `contain`: as large as fits in the box, aspect ratio kept (enlarges).
 * - `scale-down`: as `contain`, never enlarges.
 * - `scale-up`: as `contain`, never shrinks (Cloudinary `mfit`; Images has no such fit).
 * - `squeeze`: exactly the box, distorted.
 * - `cover`: exactly the box, the overflow cut at `focus`.
 * - `crop`: scaled by min(1, max(w/W, h/H)) and cut to at most the box: `cover` that never enlarges.
 * - `extract`: a region of min(w, W)×min(h, H) cut at `focus` without scaling (Cloudinary `c_crop`;
 *   the same size as Images' `crop`, but not the same pixels).
 * - `pad`: exactly the box, the image fitted inside it.
 */
export type ResizeKind =
  "contain" | "scale-down" | "scale-up" | "squeeze" | "cover" | "crop" | "extract" | "pad";

export interface ResizeOp {
  kind: ResizeKind;
  /** At least one of them; in the frame of the image as the step sees it. */
  width?: number;
  height?: number;
  focus?: Focus;
  /**
   * Images' fit when this step alone decides the options (the SPEC's table for the vendor's mode);
   * undefined when the URL named no mode and Images' default (`contain`) does what the vendor's does.
   */
  fit?: Fit | undefined;
}

type State =
  /** The whole image, aspect ratio kept: the original size, or fitted to a box. */
  | { t: "whole"; enlarges: boolean; width?: number; height?: number; fit?: Fit; focus?: Focus }
  /** Exactly width×height: cut (`cover`), distorted (`squeeze`) or padded (`pad`). */
  | {
      t: "box";
      content: "cover" | "squeeze" | "pad";
      width: number;
      height: number;
      focus?: Focus;
      fit?: Fit;
    }
  /** Images' `crop` semantics: a size that depends on the original's. */
  | { t: "crop"; width: number; height: number; focus?: Focus; fit?: Fit }
  /** A size no option can express (relative, automatic); `whole`: nothing was cut or distorted. */
  | { t: "unknown"; whole: boolean };

const ORIGINAL: State = { t: "whole", enlarges: false };

export class Resizes {
  private state: State = ORIGINAL;
  private orientation: Orientation = UPRIGHT;

  /** True until a step changed the size (a trim may only be the first step). */
  get untouched(): boolean {
    return this.state === ORIGINAL && this.orientation === UPRIGHT;
  }

  /** The orientation applied so far (rotations and mirrors between the steps). */
  get oriented(): Orientation {
    return this.orientation;
  }

  reorient(o: Orientation): void {
    this.orientation = o;
  }

  /** Adds a step; false when it cannot be composed exactly with the earlier ones. */
  add(op: ResizeOp): boolean {
    const step = this.toOriginalFrame(op);
    const next = compose(this.state, step);
    this.state = next ?? native(step);
    return next !== undefined;
  }

  /** A step whose size cannot be expressed: the size is unknown from here on. */
  addUnknown(keepsWholeImage: boolean): void {
    this.state = {
      t: "unknown",
      whole: keepsWholeImage && (this.state.t === "whole" || this.state.t === "unknown"),
    };
  }

  /** The size, fit, gravity, rotation and flip options of the chain, in Images' frame. */
  options(): DeliveryOptions {
    const out: DeliveryOptions = {};
    const s = this.state;
    if (s.t !== "unknown" && (s.width !== undefined || s.height !== undefined)) {
      const swap = swapsAxes(this.orientation);
      const width = swap ? s.height : s.width;
      const height = swap ? s.width : s.height;
      if (width !== undefined) out.width = width;
      if (height !== undefined) out.height = height;
      if (s.fit !== undefined) out.fit = s.fit;
      // With one dimension nothing is cut, but a gravity is harmless: it is kept as the URL asked.
      if (s.focus !== undefined && (out.fit === "cover" || out.fit === "crop")) {
        const focus = typeof s.focus === "string" ? s.focus : orientPoint(this.orientation, s.focus);
        const gravity = imagesGravity(focus);
        if (gravity !== undefined) out.gravity = gravity;
      }
    }
    Object.assign(out, imagesOrientation(this.orientation));
    return out;
  }

  /** The step with its box and focus in the original's frame. */
  private toOriginalFrame(op: ResizeOp): ResizeOp {
    const o = this.orientation;
    if (o === UPRIGHT || (o.quarterTurns === 0 && !o.mirrored)) return op;
    const swap = swapsAxes(o);
    const step: ResizeOp = { kind: op.kind, ...(op.fit !== undefined ? { fit: op.fit } : {}) };
    const width = swap ? op.height : op.width;
    const height = swap ? op.width : op.height;
    if (width !== undefined) step.width = width;
    if (height !== undefined) step.height = height;
    if (op.focus !== undefined) {
      step.focus = typeof op.focus === "string" ? op.focus : unorientPoint(o, op.focus);
    }
    return step;
  }
}

/** What `op` alone makes of the original. */
function native(op: ResizeOp): State {
  const kind = effectiveKind(op);
  if (kind === "contain" || kind === "scale-down" || kind === "scale-up") {
    const focus = op.focus === undefined ? {} : { focus: op.focus };
    return { t: "whole", enlarges: kind !== "scale-down", ...box(op), fit: op.fit, ...focus };
  }
  const width = op.width!;
  const height = op.height!;
  const focus = op.focus === undefined ? {} : { focus: op.focus };
  switch (op.kind) {
    case "squeeze":
    case "cover":
    case "pad":
      return { t: "box", content: op.kind, width, height, ...focus, fit: op.fit ?? op.kind };
    default:
      return { t: "crop", width, height, ...focus, fit: op.fit ?? "crop" };
  }
}

/**
 * The kind `op` acts as: with one dimension only, every kind keeps the aspect ratio, and `crop`
 * (never enlarges) then acts as `scale-down`.
 */
function effectiveKind(op: ResizeOp): ResizeKind {
  if (op.width !== undefined && op.height !== undefined) return op.kind;
  switch (op.kind) {
    case "squeeze":
    case "cover":
    case "pad":
      return "contain";
    case "crop":
      return "scale-down";
    default:
      return op.kind;
  }
}

/** `op` applied to what `s` produces, as one state; undefined when no single resize does it. */
function compose(s: State, op: ResizeOp): State | undefined {
  const kind = effectiveKind(op);
  switch (s.t) {
    case "whole":
      if (s === ORIGINAL || kind === "contain") return native(op);
      if (kind === "scale-down") {
        const { width, height } = smallerBox(s, op);
        return {
          t: "whole",
          enlarges: s.enlarges,
          width,
          height,
          fit: s.enlarges ? "contain" : "scale-down",
        };
      }
      // A box filled from the whole image does not depend on how large the image was.
      return kind === "squeeze" || kind === "cover" || kind === "pad" ? native(op) : undefined;
    case "box":
      return onKnownSize(s, op);
    case "crop":
      // Its output is never larger than its box: a scale-down to a box at least as large is a no-op.
      if (kind === "scale-down" && (op.width ?? Infinity) >= s.width && (op.height ?? Infinity) >= s.height) {
        return s;
      }
      return undefined;
    case "unknown":
      return s.whole && (kind === "contain" || kind === "squeeze" || kind === "cover" || kind === "pad")
        ? native(op)
        : undefined;
  }
}

/** `op` applied to an output of known size: exact when the result shows the same pixels, resized. */
function onKnownSize(s: State & { t: "box" }, op: ResizeOp): State | undefined {
  const w = s.width;
  const h = s.height;
  const size = resize(w, h, op);
  const [w2, h2] = size;
  if (sameRatio(w, h, w2, h2)) return { ...s, width: w2, height: h2 };
  // Distorting what is already distorted is one distortion.
  if (s.content === "squeeze" && op.kind === "squeeze") return { ...s, width: w2, height: h2 };
  return undefined;
}

/** The size `op` gives an image of w×h. */
export function resize(w: number, h: number, op: ResizeOp): [number, number] {
  const bw = op.width;
  const bh = op.height;
  const kind = effectiveKind(op);
  if (kind === "extract") return [Math.min(bw ?? w, w), Math.min(bh ?? h, h)];
  if (
    bw === undefined ||
    bh === undefined ||
    kind === "contain" ||
    kind === "scale-down" ||
    kind === "scale-up"
  ) {
    let scale = Math.min(bw === undefined ? Infinity : bw / w, bh === undefined ? Infinity : bh / h);
    if (kind === "scale-down") scale = Math.min(1, scale);
    if (kind === "scale-up") scale = Math.max(1, scale);
    return scaled(w, h, scale, bw, bh);
  }
  switch (kind) {
    case "crop": {
      const scale = Math.min(1, Math.max(bw / w, bh / h));
      return [Math.min(bw, Math.round(w * scale)), Math.min(bh, Math.round(h * scale))];
    }
    default:
      return [bw, bh];
  }
}

/** w×h scaled, the constraining dimension exactly as asked. */
function scaled(w: number, h: number, scale: number, bw?: number, bh?: number): [number, number] {
  if (scale === 1) return [w, h];
  const sw = Math.max(1, Math.round(w * scale));
  const sh = Math.max(1, Math.round(h * scale));
  if (bw !== undefined && scale === bw / w) return [bw, sh];
  if (bh !== undefined && scale === bh / h) return [sw, bh];
  return [sw, sh];
}

/** Two sizes with the same aspect ratio, up to the rounding of one pixel. */
export function sameRatio(w1: number, h1: number, w2: number, h2: number): boolean {
  return Math.abs(w1 * h2 - w2 * h1) <= Math.max(w1, w2, h1, h2);
}

function box(op: ResizeOp): { width?: number; height?: number } {
  const out: { width?: number; height?: number } = {};
  if (op.width !== undefined) out.width = op.width;
  if (op.height !== undefined) out.height = op.height;
  return out;
}

function smallerBox(a: { width?: number; height?: number }, b: { width?: number; height?: number }) {
  return box({
    kind: "contain",
    fit: "contain",
    ...(a.width !== undefined || b.width !== undefined
      ? { width: Math.min(a.width ?? Infinity, b.width ?? Infinity) }
      : {}),
    ...(a.height !== undefined || b.height !== undefined
      ? { height: Math.min(a.height ?? Infinity, b.height ?? Infinity) }
      : {}),
  });
}
