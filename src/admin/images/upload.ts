import { config } from "../../config";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { callImages, imageDetails } from "../../images/binding";
import { readUploadForm } from "./form";
import { openUploadFile, openUploadUrl } from "./original";
import { toRestImage } from "./shape";

/**
 * POST /images/v1 — multipart `file` or `url`, optional `id`, `metadata`, `requireSignedURLs`,
 * `creator`. Answers 200 with the image, as Cloudflare does.
 */
export const uploadImageRoute: AdminHandler = async (req, env) => {
  const form = await readUploadForm(req);
  if (form.id !== undefined) {
    // The binding (and the local mock) overwrite an existing custom id silently, so look first.
    // Two simultaneous uploads of the same new id can still both pass this check; the later one
    // then replaces the earlier one's bytes.
    const id = form.id;
    const existing = await imageDetails(env, id);
    if (existing) throw apiError("image_exists", `An image with id '${id}' already exists`);
  }
  const body = form.file
    ? await openUploadFile(form.file)
    : await openUploadUrl(form.url!, config(env).ingestTimeoutMs);
  let image: ImageMetadata;
  try {
    image = await callImages("upload", () =>
      env.IMAGES.hosted.upload(body.readable, {
        ...(form.id !== undefined ? { id: form.id } : {}),
        ...(body.filename !== undefined ? { filename: body.filename } : {}),
        ...(form.metadata !== undefined ? { metadata: form.metadata } : {}),
        ...(form.creator !== undefined ? { creator: form.creator } : {}),
        requireSignedURLs: form.requireSignedURLs,
      }),
    );
  } catch (err) {
    throw body.failure(err);
  }
  return ok(toRestImage(image));
};
