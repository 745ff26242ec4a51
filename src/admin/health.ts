import { getDb } from "../db/client";
import { pingD1 } from "../db/health";
import { ERRORS } from "../errors";
import { failure, ok } from "../http/envelope";
import { callImages } from "../images/binding";
import { baseEnv } from "../observe/log";

/** SPEC: /_health answers from a short per-isolate cache, so it cannot be used to load D1. */
export const HEALTH_CACHE_MS = 5000;

type Probe = "ok" | "unavailable";
interface Checked {
  at: number;
  d1: Probe;
  images: Probe;
}
const checked = new WeakMap<Env, Checked>();
const inFlight = new WeakMap<Env, Promise<Checked>>();

async function check(probe: () => Promise<unknown>): Promise<Probe> {
  try {
    await probe();
    return "ok";
  } catch (err) {
    console.error("health probe failed", err);
    return "unavailable";
  }
}

/** Probes D1 and Images at most once per HEALTH_CACHE_MS per isolate (concurrent calls share one). */
function probe(scoped: Env, now: number): Promise<Checked> {
  const env = baseEnv(scoped);
  const last = checked.get(env);
  if (last && now - last.at < HEALTH_CACHE_MS) return Promise.resolve(last);
  let running = inFlight.get(env);
  if (!running) {
    running = Promise.all([
      check(() => pingD1(getDb(env, "replica"))),
      check(() => callImages("list", () => env.IMAGES.hosted.list({ limit: 1 }))),
    ])
      .then(([d1, images]) => {
        const result = { at: now, d1, images };
        checked.set(env, result);
        return result;
      })
      .finally(() => inFlight.delete(env));
    inFlight.set(env, running);
  }
  return running;
}

/** GET /_health (no auth) — 200 when D1 and Images answer, else 503 naming what is down. */
export async function healthRoute(_req: Request, env: Env): Promise<Response> {
  const { d1, images } = await probe(env, Date.now());
  if (d1 === "ok" && images === "ok") return ok({ status: "ok", d1, images });
  const errors = [];
  if (d1 !== "ok") errors.push({ code: ERRORS.storage_unavailable.code, message: "D1 is unavailable" });
  if (images !== "ok")
    errors.push({ code: ERRORS.images_unavailable.code, message: "Images is unavailable" });
  return failure(503, errors);
}
