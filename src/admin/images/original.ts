import { ApiError, apiError } from "../../errors";
import { errorForFailure } from "../../ingest/failures";
import { type OpenedBody, openImageBody } from "../../ingest/guarded-body";
import { filenameOf } from "../../ingest/image-id";
import { MAX_IMAGE_BYTES } from "../../images/limits";
import { fetchOriginal, type OriginFailure, timeout } from "../../ingest/origin";
import { decodeOnce } from "../../parsers/url-encoding";

/** The bytes of an upload, checked like lazy ingestion checks an original, ready to stream. */
export interface UploadBody {
  readable: ReadableStream<Uint8Array>;
  filename: string | undefined;
  /** The answer when the upload of `readable` failed with `err`. */
  failure(err: unknown): ApiError;
}

const ACCEPTED = "JPEG, PNG, GIF, WebP, AVIF, HEIC or SVG";

/** A `file` part: ≤ 10 MiB (413) and an image format Images accepts, by its first bytes (415). */
export async function openUploadFile(file: File): Promise<UploadBody> {
  const tooLarge = () =>
    apiError("payload_too_large", `file: larger than ${MAX_IMAGE_BYTES} bytes (Images' limit is 10 MiB)`);
  if (file.size > MAX_IMAGE_BYTES) throw tooLarge();
  const body = await openImageBody(file.stream(), MAX_IMAGE_BYTES);
  if (!body.ok) {
    if (body.refusal.reason === "too_large") throw tooLarge();
    throw apiError("unsupported_media_type", `file: is not an image Images accepts (${ACCEPTED})`);
  }
  return {
    readable: body.readable,
    filename: file.name ? file.name.slice(0, 255) : undefined,
    failure(err) {
      if (body.stats.refusal) return tooLarge();
      return uploadFailed(err);
    },
  };
}

/**
 * A `url`: fetched with lazy ingestion's rules (200 only, ≤ 10 MiB by Content-Length and by count,
 * image bytes only, INGEST_TIMEOUT_MS for the fetch and the streamed upload). Any http(s) host may
 * be given, since an authenticated admin asks; redirects are followed only on the URL's own scheme
 * and host (fetchOriginal's rule), so give the final URL of an image served from elsewhere.
 */
export async function openUploadUrl(url: string, timeoutMs: number): Promise<UploadBody> {
  const signal = AbortSignal.timeout(timeoutMs);
  const original = await fetchOriginal(url, url, signal);
  if (!original.ok) throw originError(original);
  let body: OpenedBody;
  try {
    body = await openImageBody(original.body, MAX_IMAGE_BYTES);
  } catch {
    if (signal.aborted) throw originError(timeout());
    throw apiError("origin_error", "url: the connection broke while the image was being sent");
  }
  if (!body.ok) {
    throw apiError(
      body.refusal.reason === "too_large" ? "origin_too_large" : "origin_not_image",
      body.refusal.reason === "too_large"
        ? `url: ${body.refusal.message}`
        : `url: the content is not an image Images accepts (${ACCEPTED})`,
    );
  }
  const { stats } = body;
  const path = new URL(url).pathname;
  return {
    readable: body.readable,
    filename: filenameOf(decodeOnce(path) ?? path),
    failure(err) {
      if (stats.refusal) return apiError("origin_too_large", `url: ${stats.refusal.message}`);
      if (signal.aborted) return originError(timeout());
      return uploadFailed(err);
    },
  };
}

/** 404/410 as `asset_missing_at_origin` (like POST /_admin/ingest), the rest by reason. */
function originError(f: OriginFailure): ApiError {
  const name = f.outcome === "missing" ? "asset_missing_at_origin" : errorForFailure(f.reason);
  return apiError(name, `url: ${f.message}`);
}

/**
 * `err` comes from callImages: a refusal by Images (e.g. 5455 for a format it cannot read) is the
 * client's to fix (400, as callImages answers it); anything else failed on the way: 502.
 */
function uploadFailed(err: unknown): ApiError {
  if (err instanceof ApiError && err.kind === "bad_request") return err;
  return apiError("upload_failed", "The upload to Cloudflare Images failed");
}
