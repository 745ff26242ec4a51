import { getDb } from "../../db/client";
import { updateMapping } from "../../db/mappings";
import { apiError } from "../../errors";
import { readJson } from "../../http/body";
import { ok } from "../../http/envelope";
import { forget } from "../../redirect/lookup-cache";
import type { AdminHandler } from "../types";
import { mappingIdParam } from "./get";
import { requireImage } from "./images";
import { patchMappingBody } from "./schema";

/** PATCH /_admin/mappings/:id `{imageId}` — points the asset at another (existing) image. */
export const updateMappingRoute: AdminHandler = async (req, env) => {
  const id = mappingIdParam(req.params.id);
  const body = await readJson(req, patchMappingBody);
  await requireImage(env, body.imageId);
  const mapping = await updateMapping(getDb(env.DB), id, {
    imageId: body.imageId,
    state: "ready",
    lastError: null,
    retryAt: null,
    leaseOwner: null,
    leaseUntil: null,
  });
  if (!mapping) throw apiError("mapping_not_found", `No mapping with id '${id}'`);
  await forget(mapping.source, mapping.key);
  return ok(mapping);
};
