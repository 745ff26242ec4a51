import { getDb } from "../../db/client";
import { getSource } from "../../db/sources";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";

export async function requireSource(env: Env, id: string) {
  const source = await getSource(getDb(env.DB), id);
  if (!source) throw apiError("source_not_found", `No source with id '${id}'`);
  return source;
}

/** GET /_admin/sources/:id */
export const getSourceRoute: AdminHandler = async (req, env) => ok(await requireSource(env, req.params.id!));
