import { getDb } from "../../db/client";
import { getJob, listItems } from "../../db/jobs";
import { validate } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { decodeCursor, encodeCursor, jobIdParam, jobNotFound, listItemsQuery, toItem } from "./shape";

/** GET /_admin/jobs/:id/items?state=failed|succeeded|skipped|pending&cursor=&limit= — in item order. */
export const listJobItemsRoute: AdminHandler = async (req, env) => {
  const id = jobIdParam(req.params.id);
  const q = validate(listItemsQuery, req.query);
  const db = getDb(env, "primary");
  if (!(await getJob(db, id))) throw jobNotFound(id);
  const { items, more } = await listItems(db, { jobId: id, ...q, afterId: decodeCursor("i", q.cursor) });
  const last = items.at(-1);
  return ok(items.map(toItem), {
    resultInfo: { cursor: more && last ? encodeCursor("i", last.id) : null, count: items.length },
  });
};
