import type { JobType } from "../db/schema";
import { backfill } from "./backfill";
import { exportKind } from "./export";
import type { JobKind } from "./kind";
import { refreshKind } from "./refresh";
import { restoreKind } from "./restore";

/**
 * Every job type, by the name in `POST /_admin/jobs {type}`, one file each. A type missing here
 * would be part of the API but not available (422, code 5002).
 */
export const JOB_KINDS: Partial<Record<JobType, JobKind>> = {
  backfill,
  refresh: refreshKind,
  export: exportKind,
  restore: restoreKind,
};
