import { type Db, getDb } from "../../db/client";
import { getSource } from "../../db/sources";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";

export async function requireSource(db: Db, id: string) {
  const source = await getSource(db, id);
  if (!source) throw apiError("source_not_found", `No source with id '${id}'`);
  return source;
}

/** GET /_admin/sources/:id */
export const getSourceRoute: AdminHandler = async (req, env) =>
  ok(await requireSource(getDb(env, "primary"), req.params.id!));
