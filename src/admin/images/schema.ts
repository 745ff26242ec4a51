import * as z from "zod/mini";
import { queryInt } from "../../http/query";

import { MAX_METADATA_BYTES } from "../../images/limits";

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

/** User metadata: a JSON object of at most 1024 bytes once serialized (Images' rule). */
export const imageMetadata = z.looseObject({}, "must be a JSON object").check(
  z.refine((m) => jsonBytes(m) <= MAX_METADATA_BYTES, {
    error: (issue) =>
      `must not exceed ${MAX_METADATA_BYTES} bytes serialized (it is ${jsonBytes(issue.input)})`,
  }),
);

/** Free text Images stores as the image's creator; our cap (Images states none). */
const MAX_CREATOR_LENGTH = 1024;
export const imageCreator = z
  .string()
  .check(z.maxLength(MAX_CREATOR_LENGTH, `must be at most ${MAX_CREATOR_LENGTH} characters`));

/** PATCH /images/v1/:id — the fields Images lets one change; omitted fields stay as they are. */
export const patchImageBody = z.strictObject({
  metadata: z.optional(imageMetadata),
  requireSignedURLs: z.optional(z.boolean()),
  creator: z.optional(imageCreator),
});

export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** GET /images/v2 — per_page as Cloudflare bounds it (10..10000, default 1000). */
export const listImagesQuery = z.strictObject({
  continuation_token: z.optional(z.string().check(z.minLength(1, "must not be empty"))),
  per_page: queryInt(10, 10_000, 1000),
  sort_order: z.optional(z.enum(SORT_ORDERS)),
  creator: z.optional(imageCreator),
});

/**
 * A continuation token: the binding's cursor plus the order and creator filter it was issued for,
 * so the next page is asked for the same listing (base64url of JSON, opaque to clients).
 */
const listPosition = z.strictObject({
  cursor: z.string().check(z.minLength(1)),
  sortOrder: z.enum(SORT_ORDERS),
  creator: z.nullable(z.string()),
});
export type ListPosition = z.infer<typeof listPosition>;

export function encodeToken(p: ListPosition): string {
  const { cursor, sortOrder, creator } = p;
  const bytes = new TextEncoder().encode(JSON.stringify({ cursor, sortOrder, creator }));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeToken(token: string): ListPosition | null {
  try {
    const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
    const parsed = listPosition.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
