import { getDb } from "../../db/client";
import { orphanMappingsOfImage } from "../../db/images";
import { ok } from "../../http/envelope";
import { callImages, requireHostedImage } from "../../images/binding";
import type { AdminHandler } from "../types";
import { imageIdParam } from "./id";

/**
 * DELETE /images/v1/:id — `result: { id, mappings: [{ id, source, key }] }` naming the mappings
 * that pointed to the image (Cloudflare answers `{}`; the extra fields are ours).
 *
 * The mappings are marked `orphaned` before the image is deleted, so no moment exists in which a
 * mapping redirects to a dead URL: if the delete then fails, they are orphaned while the image still
 * exists, which only costs a re-ingest (lazy ingestion reuses an image already under its id). Their
 * cached lookups are dropped from this isolate and this colo's edge cache; other isolates keep
 * theirs for at most LOOKUP_CACHE_TTL. A mapping created for this id while the delete runs can
 * still end up `ready` on the dead image (POST /mappings checks the image first, not atomically).
 */
export const deleteImageRoute: AdminHandler = async (req, env) => {
  const id = imageIdParam(req.params.id);
  await requireHostedImage(env, id);
  const affected = await orphanMappingsOfImage(getDb(env, "primary"), id);
  // `false` means someone else deleted it meanwhile: it is gone either way.
  await callImages("delete", () => env.IMAGES.hosted.image(id).delete());
  return ok({ id, mappings: affected });
};
