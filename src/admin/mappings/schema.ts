import { z } from "zod";
import { MAPPING_STATES } from "../../db/schema";
import { sourceId } from "../../sources/schema";

export const imageId = z
  .string()
  .min(1)
  .max(1024)
  .refine((id) => !id.startsWith("/") && !id.endsWith("/"), "must not start or end with '/'");

export const createMappingBody = z
  .strictObject({
    url: z.string().optional(),
    source: sourceId.optional(),
    key: z.string().optional(),
    imageId,
    upsert: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    const byUrl = b.url !== undefined;
    const byKey = b.source !== undefined || b.key !== undefined;
    if (byUrl === byKey) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "give either url, or source and key" });
    } else if (byKey && (b.source === undefined || b.key === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [b.source === undefined ? "source" : "key"],
        message: "is required",
      });
    }
  });

export const patchMappingBody = z.strictObject({ imageId });

const LIST_MAX = 1000;

export const listMappingsQuery = z.strictObject({
  source: sourceId.optional(),
  state: z.enum(MAPPING_STATES).optional(),
  prefix: z.string().max(1024).optional(),
  cursor: z.string().optional(),
  limit: z.coerce
    .number()
    .int("must be an integer")
    .min(1, "must be at least 1")
    .max(LIST_MAX, `must be at most ${LIST_MAX}`)
    .default(100),
});

/** Opaque cursors: the last id of the page, base64url-encoded. */
export const encodeCursor = (id: number) => btoa(`m:${id}`).replace(/=+$/, "");
export function decodeCursor(cursor: string): number | null {
  try {
    const m = /^m:(\d{1,15})$/.exec(atob(cursor));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
