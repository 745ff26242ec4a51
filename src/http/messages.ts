import type * as z from "zod/mini";

/**
 * The default message of each kind of zod issue (zod/mini ships none; its full English locale
 * would add 1 KiB of gzip to every cold start for formats the gateway never validates). Schemas
 * give their own message where a field needs a specific one; these name what was expected.
 */
const UNITS: Record<string, string> = { string: "characters", array: "items" };

const show = (v: unknown) => (typeof v === "string" ? `'${v}'` : String(v));

export function defaultMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}, got ${issue.input === null ? "null" : typeof issue.input}`;
    case "invalid_value":
      return `expected one of ${issue.values.map(show).join(", ")}`;
    case "too_big":
    case "too_small": {
      const limit = issue.code === "too_big" ? `at most ${issue.maximum}` : `at least ${issue.minimum}`;
      const unit = UNITS[issue.origin];
      return unit ? `must have ${limit} ${unit}` : `must be ${limit}`;
    }
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    case "invalid_format":
      return `is not a valid ${issue.format === "regex" ? "value" : issue.format}`;
    default:
      return "is not valid";
  }
}
