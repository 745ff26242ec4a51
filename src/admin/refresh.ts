import * as z from "zod/mini";
import { toMapping } from "../db/mappings";
import { apiError } from "../errors";
import { readJson } from "../http/body";
import { ok } from "../http/envelope";
import { errorForFailure } from "../ingest/failures";
import { locateUrl } from "../resolve/locate";
import { refreshAsset } from "../sync/refresh";
import type { AdminHandler } from "./types";

const body = z.strictObject({ url: z.string("must be a string") });

/**
 * POST /_admin/refresh `{url}` — refresh one mapped asset now and answer with what happened
 * (`unchanged`, `changed` with `previousImageId`, `gone`, `failed`, …). 404 when it is not mapped,
 * 409 while another refresh or an ingest holds it. Many assets: a `refresh` job.
 */
export const refreshRoute: AdminHandler = async (req, env) => {
  const { url } = await readJson(req, body);
  const target = await locateUrl(env, url);
  const source = target.source.id;
  const key = target.asset.key;
  const r = await refreshAsset(env, { source: target.source, key });
  if (r.status === "not-mapped")
    throw apiError("mapping_not_found", `'${key}' of source '${source}' is not mapped`);
  if (r.status === "busy")
    throw apiError("refresh_in_progress", "Another refresh or an ingest of this asset is running");
  const error =
    r.status === "failed"
      ? apiError(errorForFailure(r.reason ?? ""), r.message ?? "refresh failed").body
      : r.status === "missing"
        ? apiError("asset_missing_at_origin", r.message ?? "missing at the origin").body
        : undefined;
  return ok({
    url,
    source,
    key,
    status: r.status,
    mapping: r.mapping && toMapping(r.mapping),
    ...(r.previousImageId ? { previousImageId: r.previousImageId } : {}),
    ...(error ? { error } : {}),
  });
};
