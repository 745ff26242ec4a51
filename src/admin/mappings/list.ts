import { getDb } from "../../db/client";
import { listMappings } from "../../db/mappings";
import { fieldError, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { decodeCursor, encodeCursor, listMappingsQuery } from "./schema";

/** GET /_admin/mappings?source=&state=&prefix=&cursor=&limit= — cursor pagination in id order. */
export const listMappingsRoute: AdminHandler = async (req, env) => {
  const q = validate(listMappingsQuery, req.query);
  let afterId: number | undefined;
  if (q.cursor !== undefined) {
    const id = decodeCursor(q.cursor);
    if (id === null) throw fieldError("cursor", "is not a cursor this API returned");
    afterId = id;
  }
  const { items, more } = await listMappings(getDb(env, "primary"), { ...q, afterId });
  const last = items.at(-1);
  return ok(items, {
    resultInfo: { cursor: more && last ? encodeCursor(last.id) : null, count: items.length },
  });
};
