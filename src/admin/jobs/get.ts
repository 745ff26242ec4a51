import { getDb } from "../../db/client";
import { getJob } from "../../db/jobs";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { jobIdParam, jobNotFound, toJob } from "./shape";

/** GET /_admin/jobs/:id — the job with its counters (one row: triggers keep them). */
export const getJobRoute: AdminHandler = async (req, env) => {
  const id = jobIdParam(req.params.id);
  const job = await getJob(getDb(env, "primary"), id);
  if (!job) throw jobNotFound(id);
  return ok(toJob(job));
};
