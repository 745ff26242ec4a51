import { fieldError, readJson } from "../../http/body";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { callImages, imageDetails, imageNotFound, requireHostedImage } from "../../images/binding";
import { isGeneratedId } from "../../images/ids";
import { imageIdParam } from "./id";
import { patchImageBody } from "./schema";
import { toRestImage } from "./shape";

/**
 * PATCH /images/v1/:id `{metadata?, requireSignedURLs?, creator?}` — metadata replaces the old
 * metadata (Images does not merge). `requireSignedURLs: true` is refused here for custom ids: Images
 * documents that private images cannot have one, but the local mock accepts it, so the rule is
 * enforced here in one place for both. A custom id is any id that is not UUID-shaped, since Images
 * refuses UUID-shaped custom ids.
 */
export const updateImageRoute: AdminHandler = async (req, env) => {
  const id = imageIdParam(req.params.id);
  const body = await readJson(req, patchImageBody);
  if (body.requireSignedURLs === true && !isGeneratedId(id)) {
    throw fieldError("requireSignedURLs", "cannot be true for an image with a custom id");
  }
  await requireHostedImage(env, id);
  try {
    return ok(toRestImage(await callImages("update", () => env.IMAGES.hosted.image(id).update(body))));
  } catch (err) {
    // Deleted in between: that is a 404, whatever the update said.
    if ((await imageDetails(env, id).catch(() => undefined)) === null) throw imageNotFound(id);
    throw err;
  }
};
