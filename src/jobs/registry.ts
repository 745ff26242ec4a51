import type { JobType } from "../db/schema";
import { backfill } from "./backfill";
import { exportKind } from "./export";
import type { JobKind } from "./kind";
import { restoreKind } from "./restore";

/**
 * Every job type, by the name in `POST /_admin/jobs {type}`. A type missing here is part of the API
 * but not available yet (422). `refresh` plugs in with one file: a `JobKind` whose `plan` is
 * `planAssetItems` (./assets.ts) and whose `item` resolves the item (`itemTarget`) and calls the
 * refresh logic of src/sync/.
 */
export const JOB_KINDS: Partial<Record<JobType, JobKind>> = {
  backfill,
  export: exportKind,
  restore: restoreKind,
};
