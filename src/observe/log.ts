/**
 * Structured logs: one JSON line per request that did work (never for a hot-memory answer, which
 * does none): request id (`cf-ray`, else generated), what was asked, what was done, status,
 * duration and D1 statements. Never a URL query, a header or a token: legacy queries may carry
 * signatures (`X-Amz-Signature`, `s`), admin requests a bearer token. Cheap: a few fields filled as
 * the request goes, one `console.log` at the end.
 */
export interface RequestLog {
  id: string;
  method: string;
  /** Admin and gateway paths only; legacy requests are described by source and key. */
  path?: string;
  source?: string;
  key?: string;
  /** redirect | ingest | redirect-origin | not-found | invalid | admin | health | … */
  action?: string;
  /** The ingest outcome, when this request ran one. */
  outcome?: string;
  status?: number;
  ms?: number;
  /** D1 statements this request prepared (batches count each statement). */
  d1: number;
  /** The error code answered (README table), or the failure reason of an ingest. */
  error?: number;
  reason?: string;
}

const BASE = Symbol("base env");
type Scoped = Env & { [BASE]?: Env };

/** The Worker's own `env` behind a request-scoped one (caches keyed by env use this). */
export const baseEnv = (env: Env): Env => (env as Scoped)[BASE] ?? env;

export function startLog(request: Request): RequestLog {
  return {
    id: request.headers.get("cf-ray") ?? crypto.randomUUID(),
    method: request.method,
    d1: 0,
  };
}

/**
 * A request-scoped view of `env` whose D1 counts the statements prepared through it (every query
 * is prepared once per execution: Drizzle and the hand-written ones alike). Everything else is the
 * Worker's own env, through the prototype.
 */
export function countingEnv(env: Env, log: RequestLog): Env {
  const db = env.DB;
  const count = <T extends D1Database | D1DatabaseSession>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        if (prop === "prepare") {
          return (sql: string) => {
            log.d1++;
            return t.prepare(sql);
          };
        }
        if (prop === "withSession") {
          return (constraint?: D1SessionConstraint) => count((t as D1Database).withSession(constraint));
        }
        const v = Reflect.get(t, prop);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  const scoped = Object.create(env) as Scoped;
  Object.defineProperty(scoped, "DB", { value: count(db), enumerable: true });
  Object.defineProperty(scoped, BASE, { value: baseEnv(env) });
  return scoped;
}

export async function writeLog(log: RequestLog, response: Response, started: number): Promise<void> {
  log.status = response.status;
  log.ms = Date.now() - started;
  if (response.status >= 400 && log.error === undefined) {
    // Error bodies are small envelopes: their first code is the reason.
    try {
      const body = (await response.clone().json()) as { errors?: { code?: number }[] };
      log.error = body.errors?.[0]?.code;
    } catch {
      /* a HEAD or a body that is not ours */
    }
  }
  console.log(JSON.stringify(log));
}
