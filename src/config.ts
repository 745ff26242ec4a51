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
      adminToken: nonEmpty(vars.ADMIN_TOKEN),
      adminReadToken: nonEmpty(vars.ADMIN_READ_TOKEN),
      signingKey: nonEmpty(vars.IMAGES_SIGNING_KEY),
      demoOrigin: (vars.DEMO_ORIGIN ?? "false").toLowerCase() === "true",
    };
    cache.set(env, c);
  }
  return c;
}
