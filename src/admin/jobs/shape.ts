import * as z from "zod/mini";
import { queryInt } from "../../http/query";
import { ITEM_STATES, type JobItemRow, JOB_STATES, JOB_TYPES, type JobRow } from "../../db/schema";
import { apiError } from "../../errors";

/**
 * A job as the admin API shows it (SPEC "Jobs"), plus the bytes its items moved, a fatal error,
 * and its `stage` (`items`, then e.g. `mappings` for export and restore, then `done`).
 */
export function toJob(row: JobRow) {
  const { listed: _listed, updatedAt: _updated, ...job } = row;
  return job;
}

/** An item: its input, state and error (`reason` is the short code, `error` the message). */
export function toItem(row: JobItemRow) {
  const { jobId: _job, ...item } = row;
  return item;
}

export function jobIdParam(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id)) {
    throw apiError("job_not_found", `No job with id '${raw ?? ""}'`);
  }
  return id;
}

export const jobNotFound = (id: number) => apiError("job_not_found", `No job with id '${id}'`);

const limit = queryInt(1, 1000, 100);

export const listJobsQuery = z.strictObject({
  state: z.optional(z.enum(JOB_STATES)),
  type: z.optional(z.enum(JOB_TYPES)),
  cursor: z.optional(z.string()),
  limit,
});

export const listItemsQuery = z.strictObject({
  state: z.optional(z.enum(ITEM_STATES)),
  cursor: z.optional(z.string()),
  limit,
});

/** Opaque cursors: the last id of the page, base64url-encoded with what it counts. */
export const encodeCursor = (kind: "j" | "i", id: number) => btoa(`${kind}:${id}`).replace(/=+$/, "");
export function decodeCursor(kind: "j" | "i", cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const m = new RegExp(`^${kind}:(\\d{1,15})$`).exec(atob(cursor));
    if (m) return Number(m[1]);
  } catch {
    // fall through
  }
  throw apiError("validation_failed", "cursor: is not a cursor this API returned");
}
