import { getDb } from "../../db/client";
import { listSources } from "../../db/sources";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";

/** GET /_admin/sources — every source, enabled or not, by id. */
export const listSourcesRoute: AdminHandler = async (_req, env) => {
  const all = await listSources(getDb(env, "primary"));
  return ok(all, { resultInfo: { cursor: null, count: all.length } });
};
