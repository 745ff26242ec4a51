import { getDb } from "../../db/client";
import { setMappingImage } from "../../db/mappings";
import { apiError } from "../../errors";
import { readJson } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { mappingIdParam } from "./get";
import { requireImage } from "./images";
import { patchMappingBody } from "./schema";

/** PATCH /_admin/mappings/:id `{imageId}` — points the asset at another (existing) image. */
export const updateMappingRoute: AdminHandler = async (req, env) => {
  const id = mappingIdParam(req.params.id);
  const body = await readJson(req, patchMappingBody);
  await requireImage(env, body.imageId);
  const mapping = await setMappingImage(getDb(env, "primary"), id, body.imageId);
  if (!mapping) throw apiError("mapping_not_found", `No mapping with id '${id}'`);
  return ok(mapping);
};
