import { type Config, config } from "../config";
import { getDb } from "../db/client";
import { findMappingForRedirect, type MappingLookup } from "../db/mappings";
import { hotAnswer, rememberAnswer } from "../cache/answers";
import { fromEdge, fromMemory, memoryEntry, remember } from "../cache/lookups";
import { ApiError, apiError } from "../errors";
import { type IngestOutcome, startIngest } from "../ingest/ingest";
import { decide, deliveryLocation, type SignedLocation, type Target, targetFor } from "../resolve/resolve";
import { freshSources, lastKnownSources, matchableSources, refreshSourcesIfDue } from "../sources/registry";
import { queryIsRead } from "./canonical";
import { matchSource } from "../sources/match";
import { type Cors, corsFor, preflight } from "./cors";
import { countHit, maybeFlushHits } from "./hits";
import type { RequestLog } from "../observe/log";
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
  log?: RequestLog,
): Promise<Response> {
  const method = request.method;
  const head = method === "HEAD";
  if (method !== "GET" && !head && method !== "OPTIONS") return methodNotAllowed(corsFor(null, request));
  const cfg = config(env);
  const now = Date.now();
  const url = new URL(request.url);

  let sources = freshSources(cfg.sourcesCacheTtl, now);
  if (!sources) {
    try {
      sources = await matchableSources(env, cfg.sourcesCacheTtl);
    } catch (err) {
      console.error("loading sources failed", err);
      sources = lastKnownSources();
      if (!sources) {
        const unavailable = apiError("storage_unavailable", "Temporarily unavailable");
        return method === "OPTIONS"
          ? preflight(request, corsFor(null, request))
          : endUserError(unavailable, head, corsFor(null, request));
      }
    }
  }
  if (method === "OPTIONS")
    return preflight(request, corsFor(matchSource(sources, url)?.source ?? null, request));
  const t = targetFor(cfg, sources, url);
  if (log) log.source = t.ok ? t.target.source.id : (t.source?.id ?? undefined);
  if (!t.ok) {
    if (log) log.action = t.source ? "invalid" : "no-source";
    return endUserError(t.error, head, corsFor(t.source, request));
  }
  const target = t.target;
  if (log) log.key = target.asset.key;
  const cors = corsFor(target.source, request);

  let lookup: MappingLookup | null;
  try {
    lookup = await lookupMapping(env, ctx, cfg.lookupCacheTtl, target, now);
  } catch (err) {
    // D1 is unavailable: the original still works if the source has an origin.
    console.error("mapping lookup failed", err);
    if (target.originUrl) return temporaryOriginRedirect(target.originUrl, cors);
    return endUserError(apiError("storage_unavailable", "Temporarily unavailable"), head, cors);
  }

  const decision = decide(target, lookup, now);
  if (log) log.action = decision.action;
  try {
    switch (decision.action) {
      case "redirect": {
        const m = lookup!;
        countAndMaybeFlush(env, ctx, cfg, m.id, now);
        const loc = await deliveryLocation(cfg, url.origin, target, decision.imageId, now);
        const response = deliveryRedirect(target, loc, cors);
        const entry =
          loc.signed || !queryIsRead(url, target.source)
            ? undefined
            : memoryEntry(target.source.id, target.asset.key, now);
        if (entry) {
          rememberAnswer(
            cfg,
            request.url,
            {
              status: response.status,
              headers: hotHeaders(response.headers, cors),
              ...originList(cors),
              mappingId: m.id,
              // Spread over the TTL's last quarter so hot URLs do not all expire in one burst; the
              // answer also dies with its lookup entry (forgotten, evicted) or a change of sources.
              expiresAt: now + cfg.lookupCacheTtl * 1000 * (0.75 + Math.random() * 0.25),
              lookup: entry,
            },
            loc.location,
          );
        }
        return response;
      }
      case "ingest":
        return await ingestOnFirstHit(env, ctx, cfg, url, target, decision.originUrl, now, head, cors, log);
      case "redirect-origin":
        return temporaryOriginRedirect(decision.originUrl, cors);
      case "not-found":
        return endUserError(decision.error, head, cors);
    }
  } catch (err) {
    if (err instanceof ApiError) return endUserError(err, head, cors);
    throw err;
  }
}

/**
 * A hot answer's headers: as sent, except that with an origin list the echoed origin is left out
 * (it is set again for each request whose Origin is listed, see `answerFromMemory`).
 */
function hotHeaders(sent: Headers, cors: Cors): Record<string, string> {
  const headers = Object.fromEntries(sent);
  if (Array.isArray(cors.policy)) delete headers["access-control-allow-origin"];
  return headers;
}

function originList(cors: Cors): { corsOrigins?: readonly string[] } {
  return Array.isArray(cors.policy) ? { corsOrigins: cors.policy } : {};
}

/**
 * The hot path, synchronous: a GET/HEAD of a legacy URL this isolate already redirected is
 * answered from memory (see hot-cache.ts), or null when the full path must run.
 */
export function answerFromMemory(
  request: Request,
  url: string,
  env: Env,
  ctx: ExecutionContext,
): Response | null {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return null;
  const cfg = config(env);
  const now = Date.now();
  const hot = hotAnswer(cfg, url, now);
  if (!hot) return null;
  refreshSourcesIfDue(env, ctx, cfg.sourcesCacheTtl, now);
  countAndMaybeFlush(env, ctx, cfg, hot.mappingId, now);
  // The default policy (`*`) or none: the stored headers are the whole answer, whoever asks.
  if (hot.corsOrigins === undefined) return new Response(null, { status: hot.status, headers: hot.headers });
  const origin = request.headers.get("origin");
  if (origin === null || !hot.corsOrigins.includes(origin)) {
    return new Response(null, { status: hot.status, headers: hot.headers });
  }
  const headers = { ...hot.headers, "access-control-allow-origin": origin };
  return new Response(null, { status: hot.status, headers });
}

/** A mapped asset's redirect: the source's status, or a private 302 for a signed URL. */
function deliveryRedirect(target: Target, loc: SignedLocation, cors: Cors): Response {
  if (loc.signed) return redirect(302, loc.location, `private, max-age=${loc.maxAge}`, cors);
  return redirect(target.source.redirectStatus, loc.location, `public, max-age=${loc.maxAge}`, cors);
}

function countAndMaybeFlush(
  env: Env,
  ctx: ExecutionContext,
  cfg: Config,
  mappingId: number,
  now: number,
): void {
  countHit(mappingId, now);
  const flush = maybeFlushHits(env, cfg.hitFlushInterval, now);
  if (flush) ctx.waitUntil(flush);
}

/**
 * The first hit of an unmapped asset. The request that wins the lease ingests it and, when that
 * finishes within the wait budget, gets the normal redirect; slower ingests finish in `waitUntil`.
 * Everyone else (and the owner past its budget) gets the original through a temporary redirect.
 */
async function ingestOnFirstHit(
  env: Env,
  ctx: ExecutionContext,
  cfg: Config,
  url: URL,
  target: Target,
  originUrl: string,
  now: number,
  head: boolean,
  cors: Cors,
  log?: RequestLog,
): Promise<Response> {
  const fallback = () => temporaryOriginRedirect(originUrl, cors);
  if (!(await mayClaim(env, target.source.id))) {
    if (log) log.outcome = "rate-limited";
    return fallback();
  }
  let run;
  try {
    run = await startIngest(env, cfg, target, now);
  } catch (err) {
    console.error("claiming the ingest lease failed", err);
    return fallback();
  }
  if (!run) {
    if (log) log.outcome = "lease-held";
    return fallback();
  }
  const done = run.done.catch((err): IngestOutcome => {
    console.error("ingest crashed; the lease will expire and be retried", err);
    return { state: "busy" };
  });
  const outcome = await withinBudget(done, cfg.ingestWaitBudgetMs);
  if (log) {
    log.outcome = outcome?.state ?? "running";
    if (outcome?.state === "failed") log.reason = outcome.reason;
  }
  if (!outcome) {
    ctx.waitUntil(done);
    return fallback();
  }
  if (outcome.state === "ready") {
    const m = outcome.mapping;
    const put = remember(target.source.id, target.asset.key, m, cfg.lookupCacheTtl, Date.now());
    if (put) ctx.waitUntil(put.catch(() => undefined));
    return deliveryRedirect(
      target,
      await deliveryLocation(cfg, url.origin, target, outcome.imageId, Date.now()),
      cors,
    );
  }
  if (outcome.state === "missing") {
    return endUserError(
      apiError("asset_missing_at_origin", "The original is missing at the legacy origin"),
      head,
      cors,
    );
  }
  return fallback();
}

/**
 * Lease claims per source go through the Workers Rate Limiting binding (per location; simulated
 * locally), so random misses cannot turn into unbounded D1 rows, origin fetches and uploads. A
 * limited first hit gets the temporary origin redirect, never a 429. Without the binding, or when
 * it errs, the claim proceeds (the lease still makes it exactly-once).
 */
async function mayClaim(env: Env, source: string): Promise<boolean> {
  if (!env.INGEST_LIMITER) return true;
  try {
    return (await env.INGEST_LIMITER.limit({ key: source })).success;
  } catch {
    return true;
  }
}

/** The promise's value if it settles within `ms`, else undefined (the promise keeps running). */
function withinBudget<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: number | null = null;
  const budget = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, budget]).finally(() => clearTimeout(timer));
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
  if (ttl > 0) {
    const cached = fromMemory(source, key, now) ?? (await fromEdge(source, key, now).catch(() => undefined));
    if (cached) return cached;
  }
  const row = await findMappingForRedirect(getDb(env, "replica"), source, key);
  if (row) {
    const put = remember(source, key, row, ttl, now);
    if (put) ctx.waitUntil(put.catch(() => undefined));
  }
  return row;
}
