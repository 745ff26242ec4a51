import { type Config, config } from "../config";
import { type Db, getDb, nowIso } from "../db/client";
import { clipMessage } from "../errors";
import { getMappingRowByKey } from "../db/mappings";
import {
  claimRefreshLease,
  orphanRefreshed,
  type RefreshLease,
  type Retirement,
  settleRefresh,
  switchRefreshedImage,
} from "../db/refresh";
import { retireImage } from "../db/retired";
import type { MappingRow, RefreshOutcome } from "../db/schema";
import { type OriginRecord, refreshed } from "../db/transitions";
import { callImages, imageDetails } from "../images/binding";
import { MAX_IMAGE_BYTES } from "../images/limits";
import type { FailureReason } from "../ingest/failures";
import { openImageBody, toHex } from "../ingest/guarded-body";
import { CREATOR, deterministicImageId, filenameOf, ingestMetadata } from "../ingest/image-id";
import { startIngest } from "../ingest/ingest";
import { fetchOriginal, timeout, validator } from "../ingest/origin";
import { originUrlForKey } from "../resolve/origin";
import type { Source } from "../sources/types";

/**
 * Refresh of one mapped asset: ask the origin again and bring the copy up to date.
 *  - conditional fetch (If-None-Match / If-Modified-Since from what was ingested); a 304, or a
 *    body with the same SHA-256 (buffered, ≤ 10 MiB), is `unchanged`: only `checkedAt` moves;
 *  - different bytes are `changed`: uploaded under a new image id (derived from the content, so a
 *    retried refresh reuses its own upload), the mapping switched to it in one statement, cached
 *    lookups dropped, and the replaced image retired — deleted by the cron once no redirect to it
 *    can still be cached (LOOKUP_CACHE_TTL + REDIRECT_MAX_AGE) and no mapping points to it;
 *  - origin 404/410 is `gone`: the source's `onOriginGone` keeps the copy or orphans the mapping;
 *  - anything else is `failed`, recorded with its reason; the copy keeps being served.
 * A `ready` mapping keeps redirecting to its image throughout. The refresh holds a lease on the
 * row, so a concurrent refresh of the same asset answers `busy`; a first-hit ingest never takes a
 * `ready` row, and a row being ingested is `busy` for a refresh.
 */
export type RefreshStatus =
  | RefreshOutcome
  /** The mapping had failed or was missing: it was ingested again instead (same lease as a first hit). */
  | "ingested"
  | "missing"
  /** Another refresh or an ingest holds the asset; nothing was done. */
  | "busy"
  | "not-mapped"
  /** The mapping is orphaned (its image deleted, or its asset gone at the origin): left alone. */
  | "skipped";

export interface RefreshResult {
  status: RefreshStatus;
  mapping: MappingRow | null;
  /** `changed`: the image the mapping pointed to before, now retired. */
  previousImageId?: string;
  /** `failed`: why, as ingestion's failure reasons. */
  reason?: FailureReason;
  message?: string;
}

export interface RefreshRequest {
  source: Source;
  key: string;
  /**
   * Fetch this URL (on the source's origin) instead of the mapping's origin URL: a notification
   * may name a URL its vendor's CDN cannot answer from a stale cache (Cloudinary's versioned URL).
   */
  originUrl?: string;
}

/** When an image replaced at `now` may be deleted: once no redirect to it can still be cached. */
export function retirement(cfg: Config, now: number): Retirement {
  return { at: new Date(now).toISOString(), after: now + (cfg.lookupCacheTtl + cfg.redirectMaxAge) * 1000 };
}

export async function refreshAsset(env: Env, req: RefreshRequest, now = Date.now()): Promise<RefreshResult> {
  const cfg = config(env);
  const db = getDb(env, "primary");
  const row = await getMappingRowByKey(db, req.source.id, req.key);
  if (!row) return { status: "not-mapped", mapping: null };
  if (row.state === "missing" || row.state === "failed") return ingestAgain(env, cfg, req, row, now);
  if (row.state !== "ready") return { status: row.state === "ingesting" ? "busy" : "skipped", mapping: row };

  const lease: RefreshLease = { id: row.id, key: row.key, owner: crypto.randomUUID() };
  const claimed = await claimRefreshLease(db, { ...lease, now, leaseMs: cfg.ingestLeaseMs });
  if (!claimed) return { status: "busy", mapping: row };
  try {
    return await runRefresh(env, cfg, db, req, claimed, lease, now);
  } catch (err) {
    // Whatever threw (Images, D1): the outcome is recorded and the lease given back.
    const message = clipMessage(`refresh failed: ${err instanceof Error ? err.message : String(err)}`);
    const mapping = await settleRefresh(db, lease, refreshed("failed", message, nowIso())).catch(() => null);
    return { status: "failed", mapping, reason: "upload_error", message };
  }
}

async function runRefresh(
  env: Env,
  cfg: Config,
  db: Db,
  req: RefreshRequest,
  held: MappingRow,
  lease: RefreshLease,
  now: number,
): Promise<RefreshResult> {
  const { source, key } = req;
  const settled = (status: RefreshStatus, mapping: MappingRow | null, extra: Partial<RefreshResult> = {}) =>
    mapping ? { status, mapping, ...extra } : { status: "busy" as const, mapping: null };
  const failed = async (reason: FailureReason, message: string) =>
    settled("failed", await settleRefresh(db, lease, refreshed("failed", message, nowIso())), {
      reason,
      message,
    });

  const originUrl = req.originUrl ?? held.originUrl ?? originUrlForKey(source, key);
  if (!originUrl || !source.origin) return failed("no_origin", "the source has no origin");

  const signal = AbortSignal.timeout(cfg.ingestTimeoutMs);
  const original = await fetchOriginal(originUrl, source.origin, signal, {
    etag: held.etag,
    lastModified: held.lastModified,
  });
  if (!original.ok) {
    if (original.outcome === "not-modified") {
      return settled("unchanged", await settleRefresh(db, lease, refreshed("unchanged", null, nowIso())));
    }
    if (original.outcome === "missing") return gone(cfg, db, source, lease, original.message, now);
    return failed(original.reason, original.message);
  }

  // Buffered (≤ 10 MiB, as SPEC allows a refresh): the digest decides whether anything is uploaded.
  const body = await openImageBody(original.body, MAX_IMAGE_BYTES, { digest: true }).catch(() => null);
  if (!body) return failed(timeoutOr(signal, "network_error"), "the origin connection broke");
  if (!body.ok) return failed(body.refusal.reason, body.refusal.message);
  let bytes: ArrayBuffer;
  try {
    bytes = await new Response(body.readable).arrayBuffer();
  } catch {
    if (body.stats.refusal) return failed(body.stats.refusal.reason, body.stats.refusal.message);
    return failed(
      timeoutOr(signal, "network_error"),
      "the origin connection broke while sending the original",
    );
  }
  const record = {
    contentSha256: (await body.stats.sha256)!,
    bytes: body.stats.bytes,
    etag: validator(original.etag),
    lastModified: validator(original.lastModified),
    checkedAt: nowIso(),
  } satisfies OriginRecord;

  // What we hold: recorded at ingest, else (mapped before digests were kept) read back from Images.
  const current = held.contentSha256 ?? (await imageSha256(env, held.imageId!));
  if (current === record.contentSha256) {
    return settled(
      "unchanged",
      await settleRefresh(db, lease, { ...record, ...refreshed("unchanged", null, record.checkedAt) }),
    );
  }

  const base = await deterministicImageId(source.id, key, source.requireSignedURLs);
  const newId = base && `${base}-${record.contentSha256.slice(0, 16)}`;
  let imageId: string;
  try {
    const meta = await callImages("upload", () =>
      env.IMAGES.hosted.upload(bytes, {
        ...(newId ? { id: newId } : {}),
        filename: filenameOf(key),
        metadata: ingestMetadata(source.id, key, originUrl),
        creator: CREATOR,
        requireSignedURLs: source.requireSignedURLs,
      }),
    );
    imageId = meta.id;
  } catch (err) {
    // The id is derived from the content: an image already under it holds these very bytes (an
    // earlier refresh that died after its upload, or content that came back).
    if (!newId || !(await imageDetails(env, newId).catch(() => null))) {
      return failed(
        "upload_error",
        clipMessage(`the upload to Images failed: ${err instanceof Error ? err.message : err}`),
      );
    }
    imageId = newId;
  }
  if (imageId === held.imageId) {
    return settled(
      "unchanged",
      await settleRefresh(db, lease, { ...record, ...refreshed("unchanged", null, record.checkedAt) }),
    );
  }
  const retire = retirement(cfg, now);
  const mapping = await switchRefreshedImage(db, lease, imageId, record, retire);
  if (!mapping) {
    // The lease was lost (an operator re-pointed the mapping, or it was renamed): the upload is
    // nobody's. Retired at once; the cron deletes it unless a mapping points to it by then.
    await retireImage(db, { imageId, source: source.id, key }, retire.at, now);
    return { status: "busy", mapping: null };
  }
  return { status: "changed", mapping, previousImageId: held.imageId ?? undefined };
}

/** Origin 404/410: the source's `onOriginGone`. */
async function gone(
  cfg: Config,
  db: Db,
  source: Source,
  lease: RefreshLease,
  originMessage: string,
  now: number,
): Promise<RefreshResult> {
  if (source.onOriginGone === "orphan") {
    const message = `${originMessage}: the asset is gone at the origin (onOriginGone: orphan)`;
    const mapping = await orphanRefreshed(db, lease, message, retirement(cfg, now));
    return mapping ? { status: "gone", mapping } : { status: "busy", mapping: null };
  }
  const message = `${originMessage}: the asset is gone at the origin; the migrated copy is kept`;
  const mapping = await settleRefresh(db, lease, refreshed("gone", message, nowIso()));
  return mapping ? { status: "gone", mapping } : { status: "busy", mapping: null };
}

/**
 * A mapping whose ingest failed, or whose original was missing, is ingested again now, through the
 * same lease as a first hit (so it never races one): the origin may have it now.
 */
async function ingestAgain(
  env: Env,
  cfg: Config,
  req: RefreshRequest,
  row: MappingRow,
  now: number,
): Promise<RefreshResult> {
  const { source, key } = req;
  // The canonical URL, never a notification's pinned one: it is stored for every later fetch.
  const originUrl = row.originUrl ?? originUrlForKey(source, key);
  const target = {
    source,
    asset: { ok: true as const, key, options: {}, originPath: "", dropped: [] },
    variant: source.defaultVariant,
    originUrl,
  };
  const run = await startIngest(env, cfg, target, now, { force: true });
  if (!run) return { status: "busy", mapping: row };
  const outcome = await run.done;
  switch (outcome.state) {
    case "ready":
      return { status: "ingested", mapping: outcome.mapping };
    case "missing":
      return { status: "missing", mapping: outcome.mapping, message: outcome.message };
    case "failed":
      return { status: "failed", mapping: outcome.mapping, reason: outcome.reason, message: outcome.message };
    default:
      return { status: "busy", mapping: null };
  }
}

const timeoutOr = (signal: AbortSignal, reason: FailureReason): FailureReason =>
  signal.aborted ? timeout().reason : reason;

/** Hex SHA-256 of an image's original in Images, streamed; null when there is no such image. */
async function imageSha256(env: Env, id: string): Promise<string | null> {
  const bytes = await callImages("bytes", () => env.IMAGES.hosted.image(id).bytes());
  if (!bytes) return null;
  const hash = new crypto.DigestStream("SHA-256");
  await bytes.pipeTo(hash);
  return toHex(await hash.digest);
}
