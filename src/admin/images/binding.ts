import { apiError } from "../../errors";

/**
 * Calls the Images binding. A throw from the binding on a call that does not validate input
 * (details, bytes, list, delete) means Images could not be asked: logged, answered 503.
 */
export async function callImages<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    console.error(`images ${what} failed`, err);
    throw apiError("images_unavailable", "Cloudflare Images could not be reached");
  }
}

export const notFound = (id: string) => apiError("image_not_found", `No image with id '${id}'`);

/** The image's details, or 404 `image_not_found`. */
export async function requireHostedImage(env: Env, id: string): Promise<ImageMetadata> {
  const details = await callImages("details", () => env.IMAGES.hosted.image(id).details());
  if (!details) throw notFound(id);
  return details;
}

/**
 * The message of an ImagesError (it carries a numeric `code`: Images refused the request and says
 * why, e.g. a rule on custom ids), else null: anything else is an internal detail, kept in logs.
 */
export function imagesRefusal(err: unknown): string | null {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  if (err instanceof Error && typeof code === "number") {
    return `Images refused it (code ${code}): ${err.message}`.slice(0, 500);
  }
  return null;
}
