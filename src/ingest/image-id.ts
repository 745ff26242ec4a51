import { MAX_METADATA_BYTES } from "../images/limits";

/** What the gateway writes into Images next to each image it ingests. */
export const CREATOR = "legacy-image-gateway";

/**
 * The custom image id of an asset, so a retried or concurrent ingest lands on the same image and
 * an image already there is reused: `<source>-<first 40 hex of SHA-256(source NUL key)>`.
 * A digest rather than the key itself because keys may hold any character and be 1024 bytes long,
 * while a custom id must stay within 1024 characters, must not look like a UUID nor start or end
 * with `/`; a digest satisfies all of that for every key (and `/`-free ids also work with the
 * local Images mock, whose delivery path takes a single segment). The key and source are in the
 * image's metadata. Null for sources that require signed URLs: Images does not allow custom ids
 * on private images, so it generates one.
 */
export async function deterministicImageId(
  sourceId: string,
  key: string,
  requireSignedURLs: boolean,
): Promise<string | null> {
  if (requireSignedURLs) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${sourceId}\u0000${key}`));
  let hex = "";
  for (const b of new Uint8Array(digest).subarray(0, 20)) hex += b.toString(16).padStart(2, "0");
  return `${sourceId}-${hex}`;
}

const byteLength = (s: string) => new TextEncoder().encode(s).byteLength;

/** Bytes of key kept at least: with less room, the origin URL is dropped from the metadata instead. */
const MIN_KEY_ROOM = 16;

/** `{ source, key, originUrl }`, shortened so its JSON stays within Images' metadata limit. */
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
  if (budget < MIN_KEY_ROOM) {
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
