import * as z from "zod/mini";
import { config } from "../config";
import { toMapping } from "../db/mappings";
import { ApiError, apiError, type ErrorBody } from "../errors";
import { readJson } from "../http/body";
import { ok } from "../http/envelope";
import { errorForFailure } from "../ingest/failures";
import { locateUrl } from "../resolve/locate";
import { refreshAsset, type RefreshResult, type RefreshStatus } from "../sync/refresh";
import type { AdminHandler } from "./types";

const MAX_URLS = 100;
const body = z.union([
  z.strictObject({ url: z.string("must be a string") }),
  z.strictObject({
    urls: z
      .array(z.string("must be a string"))
      .check(
        z.minLength(1, "give at least one URL"),
        z.maxLength(MAX_URLS, `at most ${MAX_URLS} URLs a request (use a refresh job for more)`),
      ),
  }),
]);

interface Item {
  url: string;
  source: string | null;
  key: string | null;
  status: RefreshStatus | "invalid";
  mapping: ReturnType<typeof toMapping> | null;
  previousImageId?: string;
  error?: ErrorBody;
}

/**
 * POST /_admin/refresh — `{url}`: refresh one mapped asset now and answer with what happened
 * (404 when it is not mapped, 409 while another refresh holds it); `{urls}` (≤ 100): each in turn,
 * with bounded concurrency, one result per URL in order, as POST /_admin/ingest answers.
 */
export const refreshRoute: AdminHandler = async (req, env) => {
  const input = await readJson(req, body);
  if ("url" in input) {
    const item = await refreshOne(env, input.url, "url", true);
    if (item.status === "not-mapped")
      throw apiError("mapping_not_found", `'${item.key}' of source '${item.source}' is not mapped`);
    if (item.status === "busy")
      throw apiError("refresh_in_progress", "Another refresh or an ingest of this asset is running");
    return ok(item);
  }
  const { urls } = input;
  const results: Item[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      results[i] = await refreshOne(env, urls[i]!, `urls.${i}`, false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, config(env).ingestConcurrency, urls.length) }, worker));
  return ok(results, { resultInfo: { cursor: null, count: results.length } });
};

async function refreshOne(env: Env, url: string, field: string, single: boolean): Promise<Item> {
  let target;
  try {
    target = await locateUrl(env, url, field);
  } catch (err) {
    if (single || !(err instanceof ApiError)) throw err;
    return { url, source: null, key: null, status: "invalid", mapping: null, error: err.body };
  }
  const r = await refreshAsset(env, { source: target.source, key: target.asset.key });
  return {
    url,
    source: target.source.id,
    key: target.asset.key,
    status: r.status,
    mapping: r.mapping && toMapping(r.mapping),
    ...(r.previousImageId ? { previousImageId: r.previousImageId } : {}),
    ...errorOf(r),
  };
}

function errorOf(r: RefreshResult): { error?: ErrorBody } {
  if (r.status === "failed")
    return { error: apiError(errorForFailure(r.reason ?? ""), r.message ?? "refresh failed").body };
  if (r.status === "missing")
    return { error: apiError("asset_missing_at_origin", r.message ?? "missing at the origin").body };
  if (r.status === "not-mapped")
    return { error: apiError("mapping_not_found", "This asset is not mapped").body };
  if (r.status === "busy")
    return {
      error: apiError("refresh_in_progress", "Another refresh or an ingest of this asset is running").body,
    };
  return {};
}
