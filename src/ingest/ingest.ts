import type { Config } from "../config";
import { clipMessage } from "../errors";
import { getDb, innermostMessage, nowIso } from "../db/client";
import { claimIngestLease, completeIngest, failIngest, markMissing } from "../db/ingest";
import { isRetired } from "../db/retired";
import type { MappingRow } from "../db/schema";
import type { OriginRecord } from "../db/transitions";
import type { Target } from "../resolve/resolve";
import type { FailureReason } from "./failures";
import { type OpenedBody, openImageBody } from "./guarded-body";
import { CREATOR, deterministicImageId, filenameOf, ingestMetadata } from "./image-id";
import { callImages, imageDetails } from "../images/binding";
import { MAX_IMAGE_BYTES } from "../images/limits";
import { fetchOriginal, timeout, validator } from "./origin";

/**
 * Lazy ingestion of one asset, shared by the redirect path and POST /_admin/ingest:
 * claim the lease → reuse an image already under the deterministic id, or fetch the original
 * (only from the origin's host, 200 only, ≤ 10 MiB, image bytes only, within the timeout) and
 * stream it into Images → record the outcome, conditional on still holding the lease.
 */
export type IngestOutcome =
  | { state: "ready"; mapping: MappingRow; imageId: string; reused: boolean }
  | { state: "missing"; mapping: MappingRow | null; message: string }
  | { state: "failed"; mapping: MappingRow | null; reason: FailureReason; message: string }
  /** Someone else holds the lease, or the asset is already mapped: nothing was done. */
  | { state: "busy" };

export interface IngestRun {
  claim: MappingRow;
  owner: string;
  done: Promise<IngestOutcome>;
}

/** Claims the lease; null when another request owns it or the asset needs no ingest now. */
export async function startIngest(
  env: Env,
  cfg: Config,
  target: Target,
  now: number,
  opts: { force?: boolean } = {},
): Promise<IngestRun | null> {
  const owner = crypto.randomUUID();
  const claim = await claimIngestLease(getDb(env, "primary"), {
    source: target.source.id,
    key: target.asset.key,
    originUrl: target.originUrl,
    owner,
    now,
    leaseMs: cfg.ingestLeaseMs,
    force: opts.force,
  });
  if (!claim) return null;
  return { claim, owner, done: runIngest(env, cfg, target, claim, owner) };
}

export function backoffSeconds(cfg: Config, attempts: number): number {
  return Math.min(cfg.retryMax, cfg.retryBase * 2 ** Math.max(0, Math.min(30, attempts - 1)));
}

interface IdChoice {
  /** The custom id to upload under, or null to let Images generate one. */
  id: string | null;
  /** An image from this origin URL is already there: reuse it, fetch nothing. */
  reuse: boolean;
}

/** Whether an existing image may stand for the asset: it came from the same origin URL (or says nothing). */
function fromOrigin(details: ImageMetadata | null, originUrl: string | null): boolean {
  if (!details) return false;
  const recorded = (details.meta as { originUrl?: unknown } | undefined)?.originUrl;
  return typeof recorded !== "string" || originUrl === null || recorded === originUrl;
}

/**
 * The image id for an asset (SPEC: a deterministic custom id, reused when an image is already
 * there). An image under that id is reused only when its metadata's `originUrl` is the one we would
 * fetch (or it records none, e.g. uploaded by an operator): a source recreated with another origin
 * must not inherit the old origin's images. Then a second deterministic id, derived from source,
 * key AND origin URL, is used the same way (so retries and concurrent ingests still meet on one
 * image); when that too holds another origin's image, Images generates an id.
 */
async function chooseImageId(
  env: Env,
  source: Target["source"],
  key: string,
  originUrl: string | null,
): Promise<IdChoice> {
  const primary = await deterministicImageId(source.id, key, source.requireSignedURLs);
  if (!primary) return { id: null, reuse: false };
  const candidates = [primary];
  if (originUrl) candidates.push((await deterministicImageId(source.id, `${key}\u0000${originUrl}`, false))!);
  for (const id of candidates) {
    const details = await imageDetails(env, id);
    if (!details) return { id, reuse: false };
    if (fromOrigin(details, originUrl)) return { id, reuse: true };
  }
  return { id: null, reuse: false };
}

/** A D1 write of the outcome failed: the ingest is recorded as `storage_error` if D1 lets us. */
class StorageFailure extends Error {}
const stored = <T>(write: Promise<T>): Promise<T> =>
  write.catch((err) => {
    throw new StorageFailure(errorText(err));
  });

/**
 * Runs an ingest and always settles with an outcome (SPEC: every ingest ends in a recorded
 * outcome). Whatever throws — a D1 write, the Images binding, a bug — ends the mapping `failed` with
 * a reason while we still hold the lease; only when D1 refuses that write too does the row stay
 * `ingesting`, until its lease expires and the next request takes it over.
 */
async function runIngest(
  env: Env,
  cfg: Config,
  target: Target,
  claim: MappingRow,
  owner: string,
): Promise<IngestOutcome> {
  try {
    return await attemptIngest(env, cfg, target, claim, owner);
  } catch (err) {
    const reason: FailureReason = err instanceof StorageFailure ? "storage_error" : "internal_error";
    const message =
      reason === "storage_error"
        ? `recording the outcome failed: ${errorText(err)}`.slice(0, 500)
        : "the ingest failed unexpectedly (logged)";
    console.error(
      JSON.stringify({ ingest: "crashed", source: target.source.id, reason, error: errorText(err) }),
    );
    const retryAt = Date.now() + backoffSeconds(cfg, claim.attempts) * 1000;
    const mapping = await failIngest(getDb(env, "primary"), claim.id, owner, reason, message, retryAt).catch(
      () => null,
    );
    return { state: "failed", mapping, reason, message };
  }
}

async function attemptIngest(
  env: Env,
  cfg: Config,
  target: Target,
  claim: MappingRow,
  owner: string,
): Promise<IngestOutcome> {
  const db = getDb(env, "primary");
  const { source } = target;
  const key = target.asset.key;
  const hosted = env.IMAGES.hosted;
  let customId: string | null = null;

  const fail = async (reason: FailureReason, message: string): Promise<IngestOutcome> => {
    const retryAt = Date.now() + backoffSeconds(cfg, claim.attempts) * 1000;
    const mapping = await stored(failIngest(db, claim.id, owner, reason, message, retryAt));
    return { state: "failed", mapping, reason, message };
  };
  const dropGenerated = async (imageId: string, reused: boolean) => {
    // A generated id nobody records would be an orphan: drop it.
    if (!reused && imageId !== customId) {
      await callImages("delete", () => hosted.image(imageId).delete()).catch(() => false);
    }
  };
  const ready = async (imageId: string, record: OriginRecord, reused: boolean): Promise<IngestOutcome> => {
    let mapping: MappingRow | null;
    try {
      mapping = await completeIngest(db, claim.id, owner, imageId, record);
    } catch (err) {
      await dropGenerated(imageId, reused);
      throw new StorageFailure(errorText(err));
    }
    if (!mapping) {
      // The lease expired and someone else took over.
      await dropGenerated(imageId, reused);
      return { state: "busy" };
    }
    return { state: "ready", mapping, imageId, reused };
  };
  const existing = async (): Promise<boolean> =>
    customId !== null && fromOrigin(await imageDetails(env, customId), target.originUrl);

  const unknown: OriginRecord = {
    contentSha256: null,
    bytes: null,
    etag: null,
    lastModified: null,
    checkedAt: null,
  };
  let choice: IdChoice;
  try {
    choice = await chooseImageId(env, source, key, target.originUrl);
  } catch (err) {
    return fail("upload_error", errorText(err));
  }
  // A retired image (replaced by a refresh, or its asset gone at the origin) is never brought
  // back: the original is fetched again and uploaded under a generated id.
  if (choice.reuse && (await stored(isRetired(db, choice.id!)))) choice = { id: null, reuse: false };
  customId = choice.id;
  if (choice.reuse) return ready(customId!, unknown, true);
  if (!target.originUrl || !source.origin) return fail("no_origin", "the source has no origin");

  const signal = AbortSignal.timeout(cfg.ingestTimeoutMs);
  const original = await fetchOriginal(target.originUrl, source.origin, signal);
  if (!original.ok) {
    if (original.outcome === "missing") {
      const mapping = await stored(
        markMissing(db, claim.id, owner, original.message, Date.now() + cfg.negativeTtl * 1000),
      );
      return { state: "missing", mapping, message: original.message };
    }
    return fail(original.reason, original.message);
  }

  let body: OpenedBody;
  try {
    body = await openImageBody(original.body, MAX_IMAGE_BYTES, { digest: true });
  } catch {
    // Reading the first bytes failed: the origin stalled past the timeout or dropped the connection.
    if (signal.aborted) return fail(timeout().reason, timeout().message);
    return fail("network_error", "the origin connection broke while sending the original");
  }
  if (!body.ok) return fail(body.refusal.reason, body.refusal.message);
  const { stats } = body;
  let meta: ImageMetadata;
  try {
    const upload = callImages("upload", () =>
      hosted.upload(body.readable, {
        ...(customId ? { id: customId } : {}),
        filename: filenameOf(key),
        metadata: ingestMetadata(source.id, key, target.originUrl),
        creator: CREATOR,
        requireSignedURLs: source.requireSignedURLs,
      }),
    );
    upload.catch(() => undefined); // a timeout may settle first; its rejection is then expected
    meta = await abortable(upload, signal);
  } catch (err) {
    if (stats.refusal) return fail(stats.refusal.reason, stats.refusal.message);
    if (signal.aborted) return fail(timeout().reason, timeout().message);
    // A takeover may have raced us to the same custom id: then the image is there, and good.
    if (await existing().catch(() => false))
      return ready(customId!, { ...unknown, bytes: stats.bytes }, true);
    return fail("upload_error", clipMessage(`the upload to Images failed: ${errorText(err)}`));
  }
  const record: OriginRecord = {
    contentSha256: await stats.sha256,
    bytes: stats.bytes,
    etag: validator(original.etag),
    lastModified: validator(original.lastModified),
    checkedAt: nowIso(),
  };
  return ready(meta.id, record, false);
}

const errorText = (err: unknown) => innermostMessage(err);

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
