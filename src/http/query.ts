import * as z from "zod/mini";

/**
 * A whole number in a query string (`?limit=50`), within [min, max]; absent → `fallback`.
 * One schema for every list route's page size, read from the string as `Number()` reads it.
 */
export function queryInt(min: number, max: number, fallback: number) {
  return z._default(
    z.pipe(
      z.pipe(z.string("must be a number"), z.transform(Number)),
      z
        .number("must be a number")
        .check(
          z.refine(Number.isInteger, "must be an integer"),
          z.minimum(min, `must be at least ${min}`),
          z.maximum(max, `must be at most ${max}`),
        ),
    ),
    fallback,
  );
}
