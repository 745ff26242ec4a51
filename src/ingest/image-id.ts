/** What the gateway writes into Images next to each image it ingests. */
export const CREATOR = "legacy-image-gateway";
const MAX_CUSTOM_ID = 1024;
const MAX_METADATA_BYTES = 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The custom image id of an asset: `<source>/<key>`, so a retried or concurrent ingest lands on the
 * same image and an image already there is reused. Null where Images does not allow a custom id:
 * longer than 1024 characters, UUID-shaped, a leading/trailing `/`, or a source that requires
 * signed URLs (custom ids cannot be private) — Images then generates one.
 */
export function deterministicImageId(
  sourceId: string,
  key: string,
  requireSignedURLs: boolean,
): string | null {
  if (requireSignedURLs) return null;
  const id = `${sourceId}/${key}`;
  if (id.length > MAX_CUSTOM_ID || UUID.test(id) || id.endsWith("/") || id.startsWith("/")) return null;
  return id;
}

const byteLength = (s: string) => new TextEncoder().encode(s).byteLength;

/** `{ source, key, originUrl }`, shortened so its JSON stays within Images' 1024-byte limit. */
export function ingestMetadata(
  source: string,
  key: string,
  originUrl: string | null,
): Record<string, string> {
  const full: Record<string, string> = { source, key };
  if (originUrl) full.originUrl = originUrl;
  if (byteLength(JSON.stringify(full)) <= MAX_METADATA_BYTES) return full;
  // The key is also in the image id (or the mapping): keep the origin URL whole if it fits alone.
  const withoutKey: Record<string, string> = { source, key: "" };
  if (originUrl) withoutKey.originUrl = originUrl;
  let budget = MAX_METADATA_BYTES - byteLength(JSON.stringify(withoutKey));
  if (budget < 16) {
    delete withoutKey.originUrl;
    budget = MAX_METADATA_BYTES - byteLength(JSON.stringify(withoutKey));
  }
  let cut = key;
  while (byteLength(JSON.stringify(cut)) - 2 > budget - 3) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return { ...withoutKey, key: `${cut}…` };
}

export function filenameOf(key: string): string {
  const last = key.slice(key.lastIndexOf("/") + 1).replace(/\?.*$/, "");
  return last.slice(0, 255) || "image";
}
