import { countStep } from "../work";
import type { Dropped } from "../types";
import { clipParam } from "./params";

/**
 * Which transformation components apply to the base image unconditionally.
 *
 * Overlays and underlays (`l_…`/`u_…`) apply the params of their component, and of every
 * component up to their `fl_layer_apply`, to the layer; conditionals (`if_<cond>`) apply only
 * to some originals. Neither is carried: each is listed once in `dropped`.
 *
 * - A layer opened at component k ends at its matching `fl_layer_apply` (layers nest), else at
 *   the first later `fl_layer_apply`, else at k itself (an old-style self-contained `l_…,w_…`).
 * - A component with `if_<cond>` (alone, or with the params of the first branch, as the SDK
 *   writes it) opens a block that its matching `if_end` closes (`if_else` stays inside); without
 *   a later `if_end` it is a conditional component by itself.
 *
 * The blocks are matched with a stack in one pass, then skipped in another: linear in the number
 * of components, whatever their nesting.
 */
export interface BaseComponent {
  /** The component as written (for `dropped`). */
  text: string;
  params: string[];
}

export function* baseComponents(components: string[], dropped: Dropped[]): Generator<BaseComponent> {
  const n = components.length;
  const params = components.map((c) => c.split(","));
  const blockEnd = matchBlocks(params);
  for (let k = 0; k < n; k++) {
    countStep();
    const ps = params[k]!;
    const end = blockEnd[k]!;
    if (end >= 0) {
      drop(dropped, components, k, end, conditionOf(ps) === undefined ? LAYER : CONDITIONAL);
      k = end;
    } else if (conditionOf(ps) !== undefined) {
      // A stray if_else or if_end: nothing is conditional on it.
      if (ps.length > 1) drop(dropped, components, k, k, CONDITIONAL);
    } else if (isLayerApply(ps)) {
      drop(dropped, components, k, k, "fl_layer_apply without an open layer: nothing to apply");
    } else {
      // Yielded as it comes, so what the reader drops stays in the order of the components.
      yield { text: components[k]!, params: ps };
    }
  }
}

const CONDITIONAL = "conditional transformation (if_): applies only to some originals; not carried";
const LAYER = "overlay/underlay (l_/u_) with the params of its components: Images has no layers; not carried";

/**
 * For each component that opens a conditional block or a layer, the index of the component that
 * closes it (itself when nothing does); -1 for every other component.
 */
function matchBlocks(params: string[][]): number[] {
  const n = params.length;
  const end = new Array<number>(n).fill(-1);
  const nextApply = new Array<number>(n + 1).fill(-1);
  for (let k = n - 1; k >= 0; k--) {
    countStep();
    nextApply[k] = isLayerApply(params[k]!) ? k : nextApply[k + 1]!;
  }
  const layers: number[] = [];
  const conditions: number[] = [];
  for (let k = 0; k < n; k++) {
    countStep();
    const ps = params[k]!;
    const cond = conditionOf(ps);
    if (cond === "end") {
      const opened = conditions.pop();
      if (opened !== undefined) end[opened] = k;
    } else if (cond === "else") {
      // Inside its block; nothing to match.
    } else if (cond !== undefined) {
      conditions.push(k);
      end[k] = k;
    } else if (isLayerApply(ps)) {
      const opened = layers.pop();
      if (opened !== undefined) end[opened] = k;
    } else if (opensLayer(ps)) {
      layers.push(k);
    }
  }
  for (const k of layers) {
    const apply = nextApply[k + 1]!;
    end[k] = apply === -1 ? k : apply;
  }
  return end;
}

function conditionOf(params: string[]): string | undefined {
  for (const p of params) if (p.startsWith("if_")) return p.slice(3);
  return undefined;
}

function opensLayer(params: string[]): boolean {
  for (const p of params) if (p.startsWith("l_") || p.startsWith("u_")) return true;
  return false;
}

function isLayerApply(params: string[]): boolean {
  for (const p of params) if (p.startsWith("fl_") && p.indexOf("layer_apply") !== -1) return true;
  return false;
}

function drop(dropped: Dropped[], components: string[], from: number, to: number, reason: string): void {
  const text = from === to ? components[from]! : components.slice(from, Math.min(to + 1, from + 8)).join("/");
  dropped.push({ param: clipParam(text), reason });
}
