import * as z from "zod/mini";
import { fieldError, validate } from "../http/body";
import { validateKey } from "../parsers/key";
import { encodeSegments } from "../parsers/url-encoding";
import type { Source } from "../sources/types";
import type { HookWork } from "./work";

/**
 * Cloudinary's notifications (the "Notification URL" of an upload preset or the account), as the
 * work they ask of the gateway. Only image resources delivered as `upload` are served here, so
 * other resource or delivery types are ignored, like any other notification type.
 *  - `upload` of a public id (an overwrite, when it is mapped) → refresh, fetching the versioned
 *    URL so Cloudinary's CDN cannot answer with the bytes it cached before the overwrite;
 *  - `rename` (`from_public_id` → `to_public_id`) → the mapping moves;
 *  - `delete` (`resources[].public_id`) → the source's `onOriginGone`.
 * A public id is the asset key of a Cloudinary source (the parser drops only the extension).
 */
const resource = z.object({
  public_id: z.string(),
  resource_type: z.optional(z.string()),
  type: z.optional(z.string()),
});
const kind = z.object({ notification_type: z.string() });
const upload = z.object({
  ...resource.shape,
  version: z.optional(
    // Cloudinary sends a number; its digits as a string are taken too.
    z.custom<number | string>(
      (v) => (typeof v === "number" || typeof v === "string") && /^\d{1,20}$/.test(String(v)),
      "must be digits",
    ),
  ),
});
const rename = z.object({
  from_public_id: z.string(),
  to_public_id: z.string(),
  resource_type: z.optional(z.string()),
  type: z.optional(z.string()),
});
const remove = z.object({ resources: z.array(resource).check(z.maxLength(10_000)) });

const servedHere = (r: { resource_type?: string; type?: string }) =>
  (r.resource_type ?? "image") === "image" && (r.type ?? "upload") === "upload";

function keyOf(publicId: string, field: string): string {
  const invalid = validateKey(publicId);
  if (invalid) throw fieldError(field, invalid.message);
  return publicId;
}

export function cloudinaryWork(source: Source, payload: unknown): HookWork {
  const { notification_type: type } = validate(kind, payload);
  switch (type) {
    case "upload": {
      const n = validate(upload, payload);
      if (!servedHere(n)) return { action: "ignored", reason: "not an image upload" };
      const key = keyOf(n.public_id, "public_id");
      const originUrl =
        n.version !== undefined && source.origin
          ? `${source.origin}/image/upload/v${n.version}/${encodeSegments(key)}`
          : undefined;
      return { action: "refresh", source, keys: [key], originUrl };
    }
    case "rename": {
      const n = validate(rename, payload);
      if (!servedHere(n)) return { action: "ignored", reason: "not an image upload" };
      return {
        action: "rename",
        source,
        from: keyOf(n.from_public_id, "from_public_id"),
        to: keyOf(n.to_public_id, "to_public_id"),
      };
    }
    case "delete": {
      const n = validate(remove, payload);
      const keys = n.resources
        .filter(servedHere)
        .map((r, i) => keyOf(r.public_id, `resources.${i}.public_id`));
      if (keys.length === 0) return { action: "ignored", reason: "no image uploads deleted" };
      return { action: "gone", source, keys };
    }
    default:
      return { action: "ignored", reason: `notification_type '${type}' needs nothing from the gateway` };
  }
}
