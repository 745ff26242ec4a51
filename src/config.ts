import { baseEnv } from "./observe/log";

/**
 * Typed view of the Worker's vars and secrets (the generated `Env`), parsed once per `env` object.
 * Every knob has a default so a deployment with only the bindings still behaves sensibly; the
 * README's configuration table lists them all.
 */

/** A number var: its default when unset, empty, not a number or below `min`. */
function num(value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min ? n : fallback;
}

const nonEmpty = (v: string | undefined) => (v && v.length > 0 ? v : undefined);
/** A boolean var: "true"/"false" in any case; anything else is its default. */
const flag = (v: string | undefined, fallback: boolean) => {
  const t = (v ?? "").trim().toLowerCase();
  return t === "true" ? true : t === "false" ? false : fallback;
};

/** Most parallel ingests of one request: the Workers limit on simultaneously open connections. */
const MAX_OPEN_CONNECTIONS = 6;

function parseConfig(env: Env) {
  const leaseMs = num(env.INGEST_LEASE_SECONDS, 60, 1) * 1000;
  return {
    /** `https://imagedelivery.net/<hash>`; empty = the local Images mock on the request's origin. */
    deliveryBaseUrl: (env.DELIVERY_BASE_URL ?? "").replace(/\/+$/, ""),
    flexibleVariants: flag(env.FLEXIBLE_VARIANTS, true),
    /** Seconds browsers may keep a mapped-asset redirect. */
    redirectMaxAge: num(env.REDIRECT_MAX_AGE, 86400),
    /** Seconds a signed delivery URL is valid. */
    signedUrlTtl: num(env.SIGNED_URL_TTL, 3600, 1),
    /** Seconds a looked-up mapping is reused (isolate memory and the edge cache) before D1 is asked again. */
    lookupCacheTtl: num(env.LOOKUP_CACHE_TTL, 300),
    /** Seconds between two flushes of an isolate's hit counters to D1. */
    hitFlushInterval: num(env.HIT_FLUSH_INTERVAL, 60),
    /** Seconds the list of sources is reused by an isolate before it is read again. */
    sourcesCacheTtl: num(env.SOURCES_CACHE_TTL, 30),
    /**
     * Lazy ingestion: the origin fetch and upload must finish within this many ms — and before the
     * lease ends (less a margin to record the outcome), or a second request could take the lease
     * over and upload again: clamped to the lease length less min(5 s, half the lease).
     */
    ingestTimeoutMs: Math.min(num(env.INGEST_TIMEOUT_MS, 15000, 1), leaseMs - Math.min(5000, leaseMs / 2)),
    /** How long the request that owns an ingest waits for it before answering with the origin. */
    ingestWaitBudgetMs: num(env.INGEST_WAIT_BUDGET_MS, 3000),
    /** How long an ingest lease is held before another request may take it over (ms). */
    ingestLeaseMs: leaseMs,
    /** Seconds an origin 404/410 is remembered (answered 404 without refetching). */
    negativeTtl: num(env.NEGATIVE_TTL, 3600),
    /** Seconds a `failed` row nobody asks for again is kept after its retry time (then the cron deletes it). */
    failedRetention: num(env.FAILED_RETENTION, 86400),
    /** Exponential backoff after a failed ingest: base and cap, seconds. */
    retryBase: num(env.RETRY_BASE, 30),
    retryMax: num(env.RETRY_MAX, 21600),
    /** Parallel ingests of one POST /_admin/ingest. */
    ingestConcurrency: Math.max(
      1,
      Math.min(MAX_OPEN_CONNECTIONS, Math.floor(num(env.INGEST_CONCURRENCY, 4, 1))),
    ),
    /** Cron: `ready` mappings re-checked against their origin per run (sources with revalidateAfter). */
    revalidateBatch: Math.min(50, Math.floor(num(env.REVALIDATE_BATCH, 10))),
    /** Cron: retired images (replaced by a refresh) deleted per run, once their wait is over. */
    retireBatch: Math.min(100, Math.floor(num(env.RETIRE_BATCH, 25))),
    /** Jobs: backoff before an item's second attempt (s, doubled per attempt), attempts per item. */
    jobRetryBase: num(env.JOB_RETRY_BASE, 5),
    jobMaxAttempts: Math.floor(num(env.JOB_MAX_ATTEMPTS, 3, 1)),
    /** Items one consumer invocation works on at once. */
    jobConcurrency: Math.max(1, Math.min(50, Math.floor(num(env.JOB_CONCURRENCY, 10, 1)))),
    adminToken: nonEmpty(env.ADMIN_TOKEN),
    adminReadToken: nonEmpty(env.ADMIN_READ_TOKEN),
    signingKey: nonEmpty(env.IMAGES_SIGNING_KEY),
    /** Serve the demo origin (local quick start only). */
    demoOrigin: flag(env.DEMO_ORIGIN, false),
  };
}

export type Config = ReturnType<typeof parseConfig>;

const cache = new WeakMap<Env, Config>();

export function config(env: Env): Config {
  const base = baseEnv(env);
  let c = cache.get(base);
  if (!c) cache.set(base, (c = parseConfig(base)));
  return c;
}
