import * as z from "zod/mini";
import { queryInt } from "../../http/query";
import { MAPPING_STATES } from "../../db/schema";
import { imageIdRef as imageId } from "../../images/ids";
import { MAX_KEY_BYTES } from "../../parsers/key";
import { sourceId } from "../../sources/schema";

export const createMappingBody = z
  .strictObject({
    url: z.optional(z.string()),
    source: z.optional(sourceId),
    key: z.optional(z.string()),
    imageId,
    upsert: z._default(z.boolean(), false),
  })
  .check(
    z.superRefine((b, ctx) => {
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
    }),
  );

export const patchMappingBody = z.strictObject({ imageId });

const LIST_MAX = 1000;

export const listMappingsQuery = z.strictObject({
  source: z.optional(sourceId),
  state: z.optional(z.enum(MAPPING_STATES)),
  prefix: z.optional(z.string().check(z.maxLength(MAX_KEY_BYTES))),
  cursor: z.optional(z.string()),
  limit: queryInt(1, LIST_MAX, 100),
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
