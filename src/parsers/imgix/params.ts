import type { Dropped } from "../types";
import { countStep } from "../work";

/** imgix's documented aliases of the params the translation reads: alias → param. */
const ALIASES: Readonly<Record<string, string>> = {
  width: "w",
  height: "h",
  f: "fit",
  "max-width": "max-w",
  "max-height": "max-h",
  "min-width": "min-w",
  "min-height": "min-h",
  or: "orient",
  trimcolor: "trim-color",
  trimtol: "trim-tol",
  trimmd: "trim-md",
  trimsd: "trim-sd",
  trimpad: "trim-pad",
};

/** Params that only track or sign (SPEC): never carried, never listed. */
const IGNORED = new Set(["ixlib", "ixid", "s", "expires"]);

/** Every param the translation may carry into a delivery option (aliases count as their param). */
export const CARRIED_PARAMS = [
  "w",
  "h",
  "fit",
  "crop",
  "ar",
  "rect",
  "max-w",
  "max-h",
  "fp-x",
  "fp-y",
  "q",
  "auto",
  "fm",
  "dpr",
  "blur",
  "sharp",
  "bg",
  "bri",
  "con",
  "gam",
  "sat",
  "flip",
  "rot",
  "trim",
  "trim-color",
] as const;
/** Params the translation reads only to list them as dropped (no Images equivalent). */
const DROPPED_PARAMS = [
  "fp-z",
  "facepad",
  "min-w",
  "min-h",
  "orient",
  "pad",
  "pad-top",
  "pad-right",
  "pad-bottom",
  "pad-left",
  "trim-tol",
  "trim-md",
  "trim-sd",
  "trim-pad",
] as const;
export type ImgixParam = (typeof CARRIED_PARAMS)[number] | (typeof DROPPED_PARAMS)[number];

const CARRIED: ReadonlySet<string> = new Set(CARRIED_PARAMS);

/** Whether a query param, as written (an alias or the param), may change the delivery options. */
export const carriesParam = (written: string) =>
  CARRIED.has(Object.hasOwn(ALIASES, written) ? ALIASES[written]! : written);

/**
 * The query of an imgix URL: the first value of each param (aliases count as their param), which
 * params were read, and what was dropped. Built in one pass over the query.
 */
export class QueryParams {
  readonly dropped: Dropped[] = [];
  private readonly values = new Map<string, string>();
  private readonly written = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(search: URLSearchParams) {
    for (const [written, value] of search) {
      countStep();
      const name = Object.hasOwn(ALIASES, written) ? ALIASES[written]! : written;
      if (!this.values.has(name)) {
        this.values.set(name, value);
        this.written.set(name, written);
      }
    }
  }

  /** The value of `name` (or an alias), marking it as read. */
  get(name: ImgixParam): string | undefined {
    this.used.add(name);
    return this.values.get(name);
  }

  /** Whether the URL has `name`, without marking it as read. */
  has(name: ImgixParam): boolean {
    return this.values.has(name);
  }

  /** Lists `name=value` (as the URL wrote the name) as not carried over. */
  drop(name: string, value: string, reason: string): void {
    const param = `${this.written.get(name) ?? name}=${value}`;
    this.dropped.push({ param: param.length > 100 ? param.slice(0, 99) + "…" : param, reason });
  }

  /** Lists every param nobody read. */
  dropUnread(): void {
    for (const [name, value] of this.values) {
      countStep();
      if (!this.used.has(name) && !IGNORED.has(name)) this.drop(name, value, "no Images equivalent");
    }
  }
}
