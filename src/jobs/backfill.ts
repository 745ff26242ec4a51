import { getDb } from "../db/client";
import { getMappingRowByKey } from "../db/mappings";
import { TRANSIENT_FAILURES } from "../ingest/failures";
import { startIngest } from "../ingest/ingest";
import { itemTarget, planAssetItems } from "./assets";
import { CANCELLED, type ItemOutcome, type ItemWork, type JobKind } from "./kind";

/**
 * backfill: migrate assets nobody asked for yet. Each item goes through the shared ingestion module
 * exactly as a first hit does (same lease, same checks, same deterministic image id), so a user
 * requesting the asset at the same moment never causes a second fetch or upload. Like
 * POST /_admin/ingest it ignores an earlier failure's backoff window (the operator asks now).
 */
export const backfill: JobKind = {
  plan: planAssetItems,
  item: backfillItem,
};

async function backfillItem(w: ItemWork): Promise<ItemOutcome> {
  const t = await itemTarget(w.env, w.item.input);
  if (!t.ok) return { state: "failed", reason: t.reason, error: t.message };
  const { source, asset } = t.target;
  if (!(await w.active())) return CANCELLED;

  const run = await startIngest(w.env, w.cfg, t.target, Date.now(), { force: true });
  if (!run) {
    // Not claimed: the asset is ready already, or another request is ingesting it right now.
    const row = await getMappingRowByKey(getDb(w.env, "primary"), source.id, asset.key);
    if (row?.state === "ready") return { state: "skipped", reason: "already_ready", result: row.imageId };
    return later(w, row?.leaseUntil ?? null);
  }
  const outcome = await run.done;
  switch (outcome.state) {
    case "ready":
      return { state: "succeeded", result: outcome.imageId, bytes: outcome.mapping.bytes };
    case "missing":
      return { state: "failed", reason: "origin_404", error: outcome.message };
    case "failed":
      return {
        state: "failed",
        reason: outcome.reason,
        error: outcome.message,
        retry: TRANSIENT_FAILURES.has(outcome.reason),
      };
    default:
      // The lease was lost to a takeover while we worked: whoever holds it now records the outcome.
      return later(w, null);
  }
}

/**
 * Someone else holds the lease: look again when it has most likely finished — soon (an ingest takes
 * a second or so), backing off with each delivery, never later than the lease's end.
 */
function later(w: ItemWork, leaseUntil: number | null): ItemOutcome {
  const leaseLeft = leaseUntil === null ? 1 : Math.ceil((leaseUntil - Date.now()) / 1000) + 1;
  const delaySeconds = Math.max(1, Math.min(2 ** w.deliveries, leaseLeft));
  return { state: "later", delaySeconds };
}
