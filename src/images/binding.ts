import { ApiError, apiError, clipMessage } from "../errors";

/**
 * The one error path for every call of the Images binding (`env.IMAGES.hosted`), wherever it is
 * made (admin routes, lazy ingestion, import verification, health):
 * - an ImagesError (it carries a numeric `code`: Images refused the request and says why, e.g. a
 *   rule on custom ids or bytes it cannot read) → 400 `bad_request` with Images' code and message;
 * - anything else (Images could not be reached, the call broke) → logged, 503 `images_unavailable`.
 */
export async function callImages<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw imagesError(what, err);
  }
}

export function imagesError(what: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const refusal = imagesRefusal(err);
  if (refusal) return apiError("bad_request", refusal);
  console.error(`images ${what} failed`, err);
  return apiError("images_unavailable", "Cloudflare Images could not be reached");
}

/** The message of an ImagesError (Images refused the request), else null. */
function imagesRefusal(err: unknown): string | null {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  if (err instanceof Error && typeof code === "number") {
    return clipMessage(`Images refused it (code ${code}): ${err.message}`);
  }
  return null;
}

export const imageNotFound = (id: string) => apiError("image_not_found", `No image with id '${id}'`);

/** The image's details, or null when there is no such image. */
export const imageDetails = (env: Env, id: string) =>
  callImages("details", () => env.IMAGES.hosted.image(id).details());

/** The image's details, or 404 `image_not_found`. */
export async function requireHostedImage(env: Env, id: string): Promise<ImageMetadata> {
  const details = await imageDetails(env, id);
  if (!details) throw imageNotFound(id);
  return details;
}
