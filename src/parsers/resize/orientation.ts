import type { Flip, Gravity, Rotation } from "../../delivery/options";

/**
 * Orientation of an image and points on it. Legacy chains rotate and mirror between resizes;
 * Images mirrors first, then rotates, then resizes. Sizes and focal points are therefore kept in
 * the original's frame while a chain is read, and moved into the final frame at the end.
 */

/** A point of an image as fractions of its width and height (0 = left/top, 1 = right/bottom). */
export interface Point {
  x: number;
  y: number;
}

/** Where a crop keeps the image: a detector, or a point that stays in frame. */
export type Focus = "auto" | "face" | Point;

/** First a horizontal mirror (when `mirrored`), then `quarterTurns` clockwise quarter turns. */
export interface Orientation {
  mirrored: boolean;
  quarterTurns: number;
}

export const UPRIGHT: Orientation = { mirrored: false, quarterTurns: 0 };

/** `o`, then `quarters` clockwise quarter turns (negative: counter-clockwise). */
export function turn(o: Orientation, quarters: number): Orientation {
  return { mirrored: o.mirrored, quarterTurns: mod4(o.quarterTurns + quarters) };
}

/** `o`, then a mirror along `axis` (`h`: left↔right, `v`: top↔bottom = h then half a turn). */
export function mirror(o: Orientation, axis: "h" | "v"): Orientation {
  const q = axis === "h" ? -o.quarterTurns : 2 - o.quarterTurns;
  return { mirrored: !o.mirrored, quarterTurns: mod4(q) };
}

/** Whether the oriented image has its width and height swapped against the original. */
export function swapsAxes(o: Orientation): boolean {
  return o.quarterTurns % 2 === 1;
}

/** Where point `p` of the original lands in the image oriented by `o`. */
export function orientPoint(o: Orientation, p: Point): Point {
  let { x, y } = p;
  if (o.mirrored) x = 1 - x;
  for (let i = 0; i < o.quarterTurns; i++) [x, y] = [1 - y, x];
  return { x, y };
}

/** The point of the original that lands on `p` of the image oriented by `o`. */
export function unorientPoint(o: Orientation, p: Point): Point {
  let { x, y } = p;
  for (let i = 0; i < o.quarterTurns; i++) [x, y] = [y, 1 - x];
  if (o.mirrored) x = 1 - x;
  return { x, y };
}

/** Images' `flip` and `rotate` for `o` (Images flips before it rotates, as `o` does). */
export function imagesOrientation(o: Orientation): { flip?: Flip; rotate?: Rotation } {
  if (o.mirrored && o.quarterTurns === 2) return { flip: "v" };
  const rotate = (o.quarterTurns * 90) as Rotation | 0;
  return {
    ...(o.mirrored ? { flip: "h" as const } : {}),
    ...(rotate !== 0 ? { rotate } : {}),
  };
}

/** Images' gravity for `focus`: a side word where the point is one, none for the centre. */
export function imagesGravity(focus: Focus): Gravity | undefined {
  if (focus === "auto" || focus === "face") return focus;
  const { x, y } = focus;
  if (x === 0.5 && y === 0.5) return undefined;
  if (x === 0.5 && y === 0) return "top";
  if (x === 0.5 && y === 1) return "bottom";
  if (x === 0 && y === 0.5) return "left";
  if (x === 1 && y === 0.5) return "right";
  return `${round3(x)}x${round3(y)}`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function mod4(n: number): number {
  return ((n % 4) + 4) % 4;
}
