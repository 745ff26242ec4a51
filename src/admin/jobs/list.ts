import { getDb } from "../../db/client";
import { listJobs } from "../../db/jobs";
import { validate } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { decodeCursor, encodeCursor, listJobsQuery, toJob } from "./shape";

/** GET /_admin/jobs?state=&type=&cursor=&limit= — newest first, cursor pagination. */
export const listJobsRoute: AdminHandler = async (req, env) => {
  const q = validate(listJobsQuery, req.query);
  const { items, more } = await listJobs(getDb(env, "primary"), {
    ...q,
    beforeId: decodeCursor("j", q.cursor),
  });
  const last = items.at(-1);
  return ok(items.map(toJob), {
    resultInfo: { cursor: more && last ? encodeCursor("j", last.id) : null, count: items.length },
  });
};
