import * as z from "zod/mini";
import { config } from "../config";
import { getDb, innermostMessage, isD1Error } from "../db/client";
import { getMappingRowByKey, toMapping } from "../db/mappings";
import { ApiError, apiError, type ErrorBody } from "../errors";
import { readJson } from "../http/body";
import { ok } from "../http/envelope";
import { errorForFailure } from "../ingest/failures";
import { startIngest } from "../ingest/ingest";
import { locateUrl } from "../resolve/locate";
import type { AdminHandler } from "./types";

const MAX_URLS = 100;
const body = z.strictObject({
  urls: z
    .array(z.string("must be a string"))
    .check(
      z.minLength(1, "give at least one URL"),
      z.maxLength(MAX_URLS, `at most ${MAX_URLS} URLs a request`),
    ),
});

type Status = "ingested" | "reused" | "already-mapped" | "in-progress" | "missing" | "failed" | "invalid";
interface Item {
  url: string;
  source: string | null;
  key: string | null;
  status: Status;
  mapping: ReturnType<typeof toMapping> | null;
  error?: ErrorBody;
}

/**
 * POST /_admin/ingest `{urls}` — ingest now, with bounded concurrency, through the same module as
 * lazy ingestion (same lease, so it never races a user's first hit). Failed/missing windows are
 * ignored (an operator asking wants a retry now); a live lease or a ready mapping is respected.
 */
export const ingestRoute: AdminHandler = async (req, env) => {
  const { urls } = await readJson(req, body);
  const cfg = config(env);
  const results: Item[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      results[i] = await ingestOne(env, urls[i]!, i).catch((err) => crashed(urls[i]!, err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.ingestConcurrency, urls.length) }, worker));
  return ok(results, { resultInfo: { cursor: null, count: results.length } });
};

/** One item broke (D1 did not answer, a bug): it is reported as failed, the others go on. */
function crashed(url: string, err: unknown): Item {
  console.error(JSON.stringify({ ingest: "item failed", error: innermostMessage(err) }));
  const error = isD1Error(err)
    ? apiError("storage_unavailable", "D1 did not answer; retry this URL")
    : apiError("internal_error", "This URL could not be ingested (logged)");
  return { url, source: null, key: null, status: "failed", mapping: null, error: error.body };
}

async function ingestOne(env: Env, url: string, index: number): Promise<Item> {
  const cfg = config(env);
  const item: Item = { url, source: null, key: null, status: "invalid", mapping: null };
  let target;
  try {
    target = await locateUrl(env, url, `urls.${index}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ...item, error: err.body };
  }
  item.source = target.source.id;
  item.key = target.asset.key;
  if (!target.originUrl) {
    return { ...item, error: apiError("no_origin", `source '${target.source.id}' has no origin`).body };
  }
  const db = getDb(env, "primary");
  const current = await getMappingRowByKey(db, target.source.id, target.asset.key);
  if (current?.state === "ready") return { ...item, status: "already-mapped", mapping: toMapping(current) };

  const run = await startIngest(env, cfg, target, Date.now(), { force: true });
  if (!run) {
    const now = await getMappingRowByKey(db, target.source.id, target.asset.key);
    const status: Status = now?.state === "ready" ? "already-mapped" : "in-progress";
    return { ...item, status, mapping: now ? toMapping(now) : null };
  }
  const outcome = await run.done;
  switch (outcome.state) {
    case "ready":
      return { ...item, status: outcome.reused ? "reused" : "ingested", mapping: toMapping(outcome.mapping) };
    case "missing":
      return {
        ...item,
        status: "missing",
        mapping: outcome.mapping && toMapping(outcome.mapping),
        error: apiError("asset_missing_at_origin", outcome.message).body,
      };
    case "failed":
      return {
        ...item,
        status: "failed",
        mapping: outcome.mapping && toMapping(outcome.mapping),
        error: apiError(errorForFailure(outcome.reason), outcome.message).body,
      };
    default:
      return { ...item, status: "in-progress" };
  }
}
