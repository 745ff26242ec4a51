import type { ErrorName } from "../errors";

/** Why an ingest failed, as recorded in `mappings.failure_reason` and counted by stats. */
export type FailureReason =
  | "origin_4xx"
  | "origin_5xx"
  | "timeout"
  | "network_error"
  | "too_large"
  | "off_origin"
  | "not_an_image"
  | "upload_error"
  | "no_origin"
  | "bad_redirect"
  | "too_many_redirects"
  | "storage_error"
  | "internal_error";

/** Failures another attempt may cure (a job retries its item); the others (not an image, too large, …) are final. */
export const TRANSIENT_FAILURES: ReadonlySet<FailureReason> = new Set<FailureReason>([
  "origin_5xx",
  "origin_4xx",
  "timeout",
  "network_error",
  "upload_error",
]);

const ERROR_OF: Record<FailureReason, ErrorName> = {
  origin_4xx: "origin_error",
  origin_5xx: "origin_error",
  network_error: "origin_error",
  off_origin: "origin_error",
  timeout: "origin_timeout",
  too_large: "origin_too_large",
  not_an_image: "origin_not_image",
  upload_error: "upload_failed",
  no_origin: "no_origin",
  bad_redirect: "origin_error",
  too_many_redirects: "origin_error",
  storage_error: "storage_unavailable",
  internal_error: "internal_error",
};

/** The admin API's error for a failed ingest or URL upload. */
export const errorForFailure = (reason: string): ErrorName =>
  ERROR_OF[reason as FailureReason] ?? "origin_error";
