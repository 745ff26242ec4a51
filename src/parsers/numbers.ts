/**
 * Numbers as legacy URLs write them, and the SPEC's scales from legacy values to Images values.
 * Every parser returns `undefined` for a value it does not accept; none throws.
 */

/**
 * An unsigned decimal integer written only with digits (`"400"`; not `"4e2"`, `"400.0"`,
 * `" 400"`, `"+400"`). `undefined` for anything else or beyond 9 digits.
 */
const DIGITS = /^\d{1,9}$/;
export function parseDigits(value: string): number | undefined {
  return DIGITS.test(value) ? Number(value) : undefined;
}

/** A non-negative decimal number (`"2"`, `"1.5"`, `"2.0"`, `".5"`); `undefined` otherwise. */
const DECIMAL = /^(?:\d{1,6}(?:\.\d{0,6})?|\.\d{1,6})$/;
export function parseDecimal(value: string): number | undefined {
  return DECIMAL.test(value) ? Number(value) : undefined;
}

/**
 * Aspect ratio as written by Cloudinary (`ar_16:9`, `ar_1.5`) and imgix (`ar=16:9`):
 * width / height, or `undefined` when it is not a positive finite ratio.
 */
const RATIO = /^(\d{1,6}(?:\.\d{1,6})?):(\d{1,6}(?:\.\d{1,6})?)$/;
export function parseAspectRatio(value: string): number | undefined {
  const m = RATIO.exec(value);
  let ratio: number | undefined;
  if (m) ratio = Number(m[1]) / Number(m[2]);
  else ratio = parseDecimal(value);
  return ratio !== undefined && ratio > 0 && Number.isFinite(ratio) ? ratio : undefined;
}

/** Device pixel ratio: a positive number, capped at 2 (SPEC). */
export function toDpr(value: string): number | undefined {
  const n = parseDecimal(value);
  if (n === undefined || n <= 0) return undefined;
  return n > 2 ? 2 : n;
}

/** Blur on the 0–2000 scale shared by Cloudinary and imgix → Images' 1–250 (`max(1, round(n/8))`). */
export function toBlur(n: number): number {
  const clamped = n > 2000 ? 2000 : n < 0 ? 0 : n;
  return Math.max(1, Math.round(clamped / 8));
}
