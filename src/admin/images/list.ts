import { fieldError, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { callImages } from "../../images/binding";
import { decodeToken, encodeToken, type ListPosition, listImagesQuery } from "./schema";
import { toRestImage } from "./shape";

/**
 * GET /images/v2?continuation_token=&per_page=&sort_order=&creator= — one page of the binding's
 * list, oldest first unless `sort_order=desc` (the binding's default order). A continuation token
 * remembers the order and creator filter it was issued for: omitted on the next call they are taken
 * from it, given differently they are a 422.
 */
export const listImagesRoute: AdminHandler = async (req, env) => {
  const q = validate(listImagesQuery, req.query);
  let from: ListPosition | undefined;
  if (q.continuation_token !== undefined) {
    const decoded = decodeToken(q.continuation_token);
    if (!decoded) throw fieldError("continuation_token", "is not a token this API returned");
    if (q.sort_order !== undefined && q.sort_order !== decoded.sortOrder) {
      throw fieldError("sort_order", `differs from the one the continuation_token was issued for`);
    }
    if (q.creator !== undefined && q.creator !== decoded.creator) {
      throw fieldError("creator", `differs from the one the continuation_token was issued for`);
    }
    from = decoded;
  }
  const sortOrder = from?.sortOrder ?? q.sort_order ?? "asc";
  const creator = from ? from.creator : (q.creator ?? null);
  const page = await callImages("list", () =>
    env.IMAGES.hosted.list({
      limit: q.per_page,
      sortOrder,
      ...(from ? { cursor: from.cursor } : {}),
      ...(creator !== null ? { creator } : {}),
    }),
  );
  const more = !page.listComplete && page.cursor;
  return ok({
    images: page.images.map(toRestImage),
    continuation_token: more ? encodeToken({ cursor: page.cursor!, sortOrder, creator }) : null,
  });
};
