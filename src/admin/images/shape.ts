/** An image in the Cloudflare Images REST shape. */
export interface RestImage {
  id: string;
  filename: string | null;
  uploaded: string | null;
  requireSignedURLs: boolean;
  variants: string[];
  meta: Record<string, unknown>;
  creator?: string;
  draft: boolean;
}

/**
 * The binding's ImageMetadata in the REST field names (they are the same names; the binding just
 * leaves some out). `variants` are passed on as Images built them: production returns
 * imagedelivery.net URLs, the local mock URLs of its own delivery endpoint.
 */
export function toRestImage(m: ImageMetadata): RestImage {
  return {
    id: m.id,
    filename: m.filename ?? null,
    uploaded: m.uploaded ?? null,
    requireSignedURLs: m.requireSignedURLs,
    variants: m.variants,
    meta: m.meta ?? {},
    ...(typeof m.creator === "string" ? { creator: m.creator } : {}),
    draft: m.draft ?? false,
  };
}
