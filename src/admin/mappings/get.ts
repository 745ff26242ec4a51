import { getDb } from "../../db/client";
import { getMapping } from "../../db/mappings";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";

export function mappingIdParam(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id)) {
    throw apiError("mapping_not_found", `No mapping with id '${raw ?? ""}'`);
  }
  return id;
}

/** GET /_admin/mappings/:id */
export const getMappingRoute: AdminHandler = async (req, env) => {
  const id = mappingIdParam(req.params.id);
  const mapping = await getMapping(getDb(env, "primary"), id);
  if (!mapping) throw apiError("mapping_not_found", `No mapping with id '${id}'`);
  return ok(mapping);
};
