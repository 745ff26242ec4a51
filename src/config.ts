/**
 * Typed view of the Worker's vars and secrets, parsed once per `env` object. Every knob has a
 * default so a deployment with only the bindings still behaves sensibly.
 */
export interface Config {
  /** `https://imagedelivery.net/<hash>`; empty = the local Images mock on the request's origin. */
  deliveryBaseUrl: string;
  flexibleVariants: boolean;
  /** Seconds browsers may keep a mapped-asset redirect. */
  redirectMaxAge: number;
  /** Seconds a signed delivery URL is valid. */
  signedUrlTtl: number;
  /** Seconds a looked-up mapping is reused (isolate memory and the edge cache) before D1 is asked again. */
  lookupCacheTtl: number;
  /** Seconds between two flushes of an isolate's hit counters to D1. */
  hitFlushInterval: number;
  /** Seconds the list of sources is reused by an isolate before it is read again. */
  sourcesCacheTtl: number;
  /** Lazy ingestion: the origin fetch and upload must finish within this many ms. */
  ingestTimeoutMs: number;
  /** How long the request that owns an ingest waits for it before answering with the origin. */
  ingestWaitBudgetMs: number;
  /** How long an ingest lease is held before another request may take it over. */
  ingestLeaseMs: number;
  /** Seconds an origin 404/410 is remembered (answered 404 without refetching). */
  negativeTtl: number;
  /** Exponential backoff after a failed ingest: base and cap, seconds. */
  retryBase: number;
  retryMax: number;
  /** Parallel ingests of one POST /_admin/ingest. */
  ingestConcurrency: number;
  adminToken: string | undefined;
  adminReadToken: string | undefined;
  signingKey: string | undefined;
  demoOrigin: boolean;
}

function num(value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min ? n : fallback;
}

const nonEmpty = (v: string | undefined) => (v && v.length > 0 ? v : undefined);

const cache = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let c = cache.get(env);
  if (!c) {
    const vars = env as unknown as Record<string, string | undefined>;
    c = {
      deliveryBaseUrl: (vars.DELIVERY_BASE_URL ?? "").replace(/\/+$/, ""),
      flexibleVariants: (vars.FLEXIBLE_VARIANTS ?? "true").toLowerCase() !== "false",
      redirectMaxAge: num(vars.REDIRECT_MAX_AGE, 86400),
      signedUrlTtl: num(vars.SIGNED_URL_TTL, 3600, 1),
      lookupCacheTtl: num(vars.LOOKUP_CACHE_TTL, 300),
      hitFlushInterval: num(vars.HIT_FLUSH_INTERVAL, 60),
      sourcesCacheTtl: num(vars.SOURCES_CACHE_TTL, 30),
      ingestTimeoutMs: num(vars.INGEST_TIMEOUT_MS, 15000, 1),
      ingestWaitBudgetMs: num(vars.INGEST_WAIT_BUDGET_MS, 3000),
      ingestLeaseMs: num(vars.INGEST_LEASE_SECONDS, 60, 1) * 1000,
      negativeTtl: num(vars.NEGATIVE_TTL, 3600),
      retryBase: num(vars.RETRY_BASE, 30),
      retryMax: num(vars.RETRY_MAX, 21600),
      ingestConcurrency: Math.max(1, Math.min(6, Math.floor(num(vars.INGEST_CONCURRENCY, 4, 1)))),
      adminToken: nonEmpty(vars.ADMIN_TOKEN),
      adminReadToken: nonEmpty(vars.ADMIN_READ_TOKEN),
      signingKey: nonEmpty(vars.IMAGES_SIGNING_KEY),
      demoOrigin: (vars.DEMO_ORIGIN ?? "false").toLowerCase() === "true",
    };
    cache.set(env, c);
  }
  return c;
}
