import { apiError } from "../errors";

/**
 * The layout of an export in R2, shared by export (writes it) and restore (reads it):
 *   <prefix>images/<image id>                  the original bytes; custom metadata below
 *   <prefix>mappings/part-NNNNN.ndjson         {source, key, imageId} a line (POST /_admin/mappings/import)
 *   <prefix>sources.json                       the sources, as GET /_admin/sources lists them
 *   <prefix>manifest.json                      written last: counts, bytes, parts
 */
export const MAX_R2_KEY_BYTES = 1024;
/** Room left for `images/<id>` and `mappings/part-NNNNN.ndjson` below the prefix. */
export const MAX_PREFIX_BYTES = 512;
export const MANIFEST_FORMAT = "legacy-image-gateway-export";

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s).byteLength;

export async function sha256Hex(data: string | ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    typeof data === "string" ? encoder.encode(data) : data,
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `<prefix>images/<id>`, or `<prefix>images/<SHA-256 of the id>` when that key would be too long. */
export async function imageKey(prefix: string, id: string): Promise<string> {
  const key = `${prefix}images/${id}`;
  return utf8(key) <= MAX_R2_KEY_BYTES ? key : `${prefix}images/${await sha256Hex(id)}`;
}

export const imagesPrefix = (prefix: string) => `${prefix}images/`;
export const partKey = (prefix: string, n: number) =>
  `${prefix}mappings/part-${String(n).padStart(5, "0")}.ndjson`;
export const sourcesKey = (prefix: string) => `${prefix}sources.json`;
export const manifestKey = (prefix: string) => `${prefix}manifest.json`;

/** What an exported image carries as R2 custom metadata (all strings), to be restored as it was. */
export interface ExportedImageMeta {
  id: string;
  filename?: string;
  /** The image's metadata, as JSON. */
  metadata?: string;
  requireSignedURLs: "true" | "false";
  uploaded?: string;
  creator?: string;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  jobId: number;
  prefix: string;
  createdAt: string;
  images: { total: number; exported: number; skipped: number; failed: number; bytes: number };
  mappings: { rows: number; parts: { key: string; rows: number; bytes: number }[] };
  sources: { key: string; count: number };
}

/** The parts of a manifest read from R2; 422 when it is not one of ours. */
export function readManifest(text: string): { parts: string[]; sources: string | null } {
  let m: Partial<Manifest> | null = null;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw apiError("export_not_found", "manifest.json is not valid JSON");
  }
  const parts = m?.mappings?.parts;
  if (
    m?.format !== MANIFEST_FORMAT ||
    m.version !== 1 ||
    !Array.isArray(parts) ||
    parts.some((p) => typeof p?.key !== "string")
  ) {
    throw apiError("export_not_found", "manifest.json is not a manifest of this gateway's exports");
  }
  return {
    parts: parts.map((p) => p.key),
    sources: typeof m.sources?.key === "string" ? m.sources.key : null,
  };
}

/** An export prefix: no leading `/`, ends with `/`, printable, short enough for every key below it. */
export function normalizePrefix(raw: string): string {
  const prefix = raw.endsWith("/") ? raw : `${raw}/`;
  if (prefix === "/" || prefix.startsWith("/")) throw fieldError("must not be empty or start with '/'");
  if (/[\u0000-\u001f\u007f]/.test(prefix)) throw fieldError("must not contain control characters");
  if (prefix.split("/").some((s, i, all) => (s === "" && i < all.length - 1) || s === "." || s === "..")) {
    throw fieldError("must not contain empty, '.' or '..' segments");
  }
  if (utf8(prefix) > MAX_PREFIX_BYTES) throw fieldError(`must be at most ${MAX_PREFIX_BYTES} bytes`);
  return prefix;
}

const fieldError = (message: string) => apiError("validation_failed", `prefix: ${message}`);

/** The bucket export and restore use: 503 with a clear message when the binding is missing. */
export function exportsBucket(env: Env): R2Bucket {
  const bucket = (env as Partial<Env>).EXPORTS;
  if (!bucket) {
    throw apiError(
      "exports_unavailable",
      "Exports need an R2 bucket bound as EXPORTS ([[r2_buckets]] in wrangler.toml); this deployment has none",
    );
  }
  return bucket;
}
