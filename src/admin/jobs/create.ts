import * as z from "zod/mini";
import { JOB_TYPES, type JobType } from "../../db/schema";
import { apiError } from "../../errors";
import { parseJson, readText, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import { bodyFormatOf, parseItemList } from "../../jobs/input";
import type { JobRequest } from "../../jobs/kind";
import { JOB_KINDS } from "../../jobs/registry";
import { startJob } from "../../jobs/start";
import { sourceId } from "../../sources/schema";
import type { AdminHandler } from "../types";
import { toJob } from "./shape";

/** Large enough for 100 000 items of ordinary URLs, as bulk import. */
const MAX_JOB_BODY_BYTES = 32 * 1024 * 1024;

const typeField = z.enum(JOB_TYPES);
const jsonBody = z.looseObject({ type: typeField });
/** Only jobs over a list of assets take their list as a text body. */
const listQuery = z.strictObject({ type: z.enum(["backfill", "refresh"]), source: z.optional(sourceId) });

/**
 * POST /_admin/jobs — `{type, …}` as JSON, or for backfill/refresh an item list as text
 * (`text/plain` one URL a line, `text/csv`, `application/x-ndjson`) with `?type=` (and `?source=`
 * for a list of keys). 202 with the job; nothing is enqueued for a request refused whole.
 */
export const createJobRoute: AdminHandler = async (req, env) => {
  const format = bodyFormatOf(req.headers.get("content-type"));
  if (format === null) {
    throw apiError(
      "unsupported_media_type",
      "Send application/json ({type, …}), or an item list as text/plain, text/csv or application/x-ndjson with ?type=",
    );
  }
  const text = await readText(req, MAX_JOB_BODY_BYTES);
  let type: JobType;
  let request: JobRequest;
  if (format === "json") {
    const body = validate(jsonBody, parseJson(text));
    type = body.type;
    request = { body };
  } else {
    const q = validate(listQuery, req.query);
    type = q.type;
    request = { body: q.source ? { source: q.source } : {}, entries: parseItemList(text, format, q.source) };
  }
  const kind = JOB_KINDS[type];
  if (!kind) throw apiError("job_type_unavailable", `type: '${type}' jobs are not available yet`);
  const job = await startJob(env, type, kind, await kind.plan(env, request));
  return ok(toJob(job), { status: 202 });
};
