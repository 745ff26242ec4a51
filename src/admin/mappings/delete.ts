import { getDb } from "../../db/client";
import { deleteMapping } from "../../db/mappings";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { mappingIdParam } from "./get";

/** DELETE /_admin/mappings/:id — the image itself is left in Images. */
export const deleteMappingRoute: AdminHandler = async (req, env) => {
  const id = mappingIdParam(req.params.id);
  const mapping = await deleteMapping(getDb(env, "primary"), id);
  if (!mapping) throw apiError("mapping_not_found", `No mapping with id '${id}'`);
  return ok({ id });
};
