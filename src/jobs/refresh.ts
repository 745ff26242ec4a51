import { TRANSIENT_FAILURES } from "../ingest/failures";
import { refreshAsset } from "../sync/refresh";
import { itemTarget, planAssetItems } from "./assets";
import { CANCELLED, type ItemOutcome, type JobKind } from "./kind";

/**
 * refresh: re-check many mapped assets against their origin through the sync module's refresh
 * (conditional fetch; a changed original is uploaded under a new id and the mapping switched).
 * `reason` says what happened: `unchanged`, `changed`, `ingested` (it had failed: ingested again);
 * `gone` (the origin lost it; the source's onOriginGone applied), `not_mapped` and `orphaned` skip.
 */
export const refreshKind: JobKind = {
  plan: planAssetItems,
  async item(w): Promise<ItemOutcome> {
    const t = await itemTarget(w.env, w.item.input);
    if (!t.ok) return { state: "failed", reason: t.reason, error: t.message };
    if (!(await w.active())) return CANCELLED;
    const r = await refreshAsset(w.env, { source: t.target.source, key: t.target.asset.key });
    const result = r.mapping?.imageId ?? null;
    switch (r.status) {
      case "unchanged":
      case "changed":
      case "ingested":
        return { state: "succeeded", reason: r.status, result, bytes: r.mapping?.bytes ?? null };
      case "gone":
        return {
          state: "skipped",
          reason: "gone",
          error: r.mapping?.lastError ?? "gone at the origin",
          result,
        };
      case "not-mapped":
        return { state: "skipped", reason: "not_mapped", error: "the asset is not mapped" };
      case "skipped":
        return { state: "skipped", reason: "orphaned", error: "the mapping is orphaned", result };
      case "missing":
        return {
          state: "failed",
          reason: "origin_404",
          error: r.message ?? "the origin has no such original",
        };
      case "failed":
        return {
          state: "failed",
          reason: r.reason ?? "failed",
          error: r.message ?? "the refresh failed",
          retry: r.reason !== undefined && TRANSIENT_FAILURES.has(r.reason),
        };
      default:
        // Another refresh or an ingest holds the asset: look again shortly.
        return { state: "later", delaySeconds: Math.min(30, 2 ** w.deliveries) };
    }
  },
};
