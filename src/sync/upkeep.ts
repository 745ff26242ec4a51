import { config } from "../config";
import { getDb } from "../db/client";
import { purgeDeliveries } from "../db/hooks";
import { orphanMappingsOfImage } from "../db/images";
import { dueForRevalidation } from "../db/refresh";
import { dropRetired, dueRetiredImages, imagesInUse, postponeRetired } from "../db/retired";
import { listSources } from "../db/sources";
import { callImages, imageDetails } from "../images/binding";
import { CREATOR } from "../ingest/image-id";
import type { UpkeepTask } from "../upkeep/scheduled";
import { refreshAsset, type RefreshStatus } from "./refresh";

/** Refreshes run side by side in one cron run: each may hold a buffered original (≤ 10 MiB). */
const REFRESH_CONCURRENCY = 2;

/**
 * Revalidation: the `ready` mappings of sources with `revalidateAfter` whose last check is older
 * than that (never-checked ones first, then the oldest check) go through the refresh path,
 * REVALIDATE_BATCH of them per run — a few subrequests each, well within the Workers limit.
 */
export const revalidateTask: UpkeepTask = {
  name: "revalidate",
  async run(env, now) {
    const cfg = config(env);
    const db = getDb(env, "primary");
    const sources = (await listSources(db)).filter(
      (s) => s.enabled && s.origin && s.revalidateAfter !== null,
    );
    const due = await dueForRevalidation(
      db,
      sources.map((s) => ({
        id: s.id,
        checkedBefore: new Date(now - s.revalidateAfter! * 1000).toISOString(),
      })),
      cfg.revalidateBatch,
    );
    const byId = new Map(sources.map((s) => [s.id, s]));
    const counts: Partial<Record<RefreshStatus, number>> = {};
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const m = due[next++]!;
        const { status } = await refreshAsset(env, { source: byId.get(m.source)!, key: m.key }, now);
        counts[status] = (counts[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, due.length) }, worker));
    return { checked: due.length, ...counts };
  },
};

const POSTPONE_MS = 60 * 60 * 1000;

/**
 * Deletes retired images whose wait is over, RETIRE_BATCH per run: one that a `ready` mapping
 * points to again is kept (and no longer retired); one the gateway did not upload (an operator's
 * image that a refresh replaced) is never deleted by it. Any mapping pointed at an image between
 * the check and the delete is orphaned right after, as when an operator deletes an image.
 */
export const retiredImagesTask: UpkeepTask = {
  name: "retiredImages",
  async run(env, now) {
    const cfg = config(env);
    const db = getDb(env, "primary");
    const due = await dueRetiredImages(db, now, cfg.retireBatch);
    const inUse = await imagesInUse(
      db,
      due.map((d) => d.imageId),
    );
    const done = [...inUse];
    let deleted = 0;
    let kept = inUse.size;
    let failed = 0;
    for (const { imageId } of due) {
      if (inUse.has(imageId)) continue;
      try {
        const details = await imageDetails(env, imageId);
        if (details && details.creator !== CREATOR) kept++;
        else if (details) {
          await callImages("delete", () => env.IMAGES.hosted.image(imageId).delete());
          await orphanMappingsOfImage(db, imageId);
          deleted++;
        }
        done.push(imageId);
      } catch (err) {
        console.error(JSON.stringify({ upkeep: "retiredImages", imageId, error: String(err) }));
        await postponeRetired(db, imageId, now + POSTPONE_MS);
        failed++;
      }
    }
    await dropRetired(db, done);
    return { deleted, kept, failed };
  },
};

/** Replay records of webhook deliveries whose timestamps would be refused anyway. */
export const hookDeliveriesTask: UpkeepTask = {
  name: "hookDeliveries",
  async run(env, now) {
    return { purged: await purgeDeliveries(getDb(env, "primary"), now, 1000) };
  },
};
