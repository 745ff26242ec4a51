import { config } from "../config";
import { getDb } from "../db/client";
import { findMappingForRedirect, type MappingLookup } from "../db/mappings";
import { ApiError, apiError } from "../errors";
import { decide, deliveryLocation, type Target, targetFor } from "../resolve/resolve";
import { lastKnownSources, matchableSources } from "../sources/registry";
import { countHit, maybeFlushHits } from "./hits";
import { fromEdge, fromMemory, remember } from "./lookup-cache";
import { endUserError, methodNotAllowed, redirect, temporaryOriginRedirect } from "./respond";

/**
 * The end-user path: legacy URL → source → asset key → mapping → redirect. A mapped asset costs
 * at most one indexed D1 read, and none while its lookup is cached (isolate memory, then the edge
 * cache). Hits are counted in memory and flushed in batches.
 */
export async function handleLegacyRequest(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const head = request.method === "HEAD";
  if (request.method !== "GET" && !head) return methodNotAllowed(false);
  const cfg = config(env);
  const url = new URL(request.url);

  let sources;
  try {
    sources = await matchableSources(env, cfg.sourcesCacheTtl);
  } catch (err) {
    console.error("loading sources failed", err);
    sources = lastKnownSources();
    if (!sources) return endUserError(apiError("storage_unavailable", "Temporarily unavailable"), head);
  }
  const t = targetFor(cfg, sources, url);
  if (!t.ok) return endUserError(t.error, head);
  const target = t.target;

  const now = Date.now();
  let lookup: MappingLookup | null;
  try {
    lookup = await lookupMapping(env, ctx, cfg.lookupCacheTtl, target, now);
  } catch (err) {
    // D1 is unavailable: the original still works if the source has an origin.
    console.error("mapping lookup failed", err);
    if (target.originUrl) return temporaryOriginRedirect(target.originUrl);
    return endUserError(apiError("storage_unavailable", "Temporarily unavailable"), head);
  }

  const decision = decide(target.source, lookup, now);
  try {
    switch (decision.action) {
      case "redirect": {
        const m = lookup!;
        countHit(m.id, now);
        const flush = maybeFlushHits(env, cfg.hitFlushInterval, now);
        if (flush) ctx.waitUntil(flush);
        const loc = await deliveryLocation(cfg, url.origin, target, m.imageId!, now);
        if (loc.signed) return redirect(302, loc.location, `private, max-age=${loc.maxAge}`);
        return redirect(target.source.redirectStatus, loc.location, `public, max-age=${loc.maxAge}`);
      }
      case "ingest":
      case "redirect-origin":
        return temporaryOriginRedirect(target.originUrl!);
      default:
        return endUserError(decision.error!, head);
    }
  } catch (err) {
    if (err instanceof ApiError) return endUserError(err, head);
    throw err;
  }
}

async function lookupMapping(
  env: Env,
  ctx: ExecutionContext,
  ttl: number,
  target: Target,
  now: number,
): Promise<MappingLookup | null> {
  const { id: source } = target.source;
  const { key } = target.asset;
  const cached = fromMemory(source, key, now);
  if (cached) return cached;
  if (ttl > 0) {
    const edge = await fromEdge(source, key, now).catch(() => undefined);
    if (edge) return edge;
  }
  const row = await findMappingForRedirect(getDb(env.DB), source, key);
  if (row) {
    const put = remember(source, key, row, ttl, now);
    if (put) ctx.waitUntil(put.catch(() => undefined));
  }
  return row;
}
