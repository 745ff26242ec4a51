import type { Methods } from "../register";
import { imageBlobRoute } from "./blob";
import { deleteImageRoute } from "./delete";
import { getImageRoute } from "./get";
import { listImagesRoute } from "./list";
import { updateImageRoute } from "./update";
import { uploadImageRoute } from "./upload";

/** Where the Images routes live below /_admin: our own path, and the Cloudflare API's (for its SDK). */
export const IMAGES_PREFIXES = ["/images", "/client/v4/accounts/:account_id/images"] as const;

/**
 * The Images routes, relative to an images root (`/images`, or the Cloudflare API's
 * `/client/v4/accounts/:account_id/images`), in the order they must be registered: `:id+` is
 * greedy (ids may contain `/`), so the `/blob` route comes first and wins whenever the raw path
 * ends in an unencoded `/blob` (see ./id.ts for the rule).
 */
export const IMAGES_ROUTES: Record<string, Methods> = {
  "/v1": { POST: uploadImageRoute },
  "/v2": { GET: listImagesRoute },
  "/v1/:id+/blob": { GET: imageBlobRoute },
  "/v1/:id+": { GET: getImageRoute, PATCH: updateImageRoute, DELETE: deleteImageRoute },
};
