import { getDb } from "../../db/client";
import { cancelJob, getJob } from "../../db/jobs";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { jobIdParam, jobNotFound, toJob } from "./shape";

/**
 * POST /_admin/jobs/:id/cancel — the job is `cancelled` at once and its unsettled items `skipped`;
 * messages still queued find them settled and fetch nothing, in-flight ones stop at their next
 * step. 409 for a job that has settled already.
 */
export const cancelJobRoute: AdminHandler = async (req, env) => {
  const id = jobIdParam(req.params.id);
  const db = getDb(env, "primary");
  const cancelled = await cancelJob(db, id);
  if (cancelled) return ok(toJob(cancelled));
  const job = await getJob(db, id);
  if (!job) throw jobNotFound(id);
  throw apiError(
    "job_settled",
    `Job ${id} is ${job.state} already; only a queued or running job can be cancelled`,
  );
};
