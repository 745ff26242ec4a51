import { apiError } from "../../errors";
import { fieldError } from "../../http/body";

/** 422 unless an image with this id exists in Images (503 when Images cannot be asked). */
export async function requireImage(env: Env, imageId: string, field = "imageId"): Promise<void> {
  let details: ImageMetadata | null;
  try {
    details = await env.IMAGES.hosted.image(imageId).details();
  } catch (err) {
    console.error("images details failed", err);
    throw apiError("images_unavailable", "Cloudflare Images could not be reached");
  }
  if (!details) throw fieldError(field, `no image with id '${imageId}'`);
}
