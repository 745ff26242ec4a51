import { getDb } from "../db/client";
import { pingD1 } from "../db/health";
import { ERRORS } from "../errors";
import { failure, ok } from "../http/envelope";
import { callImages } from "../images/binding";

async function check(probe: () => Promise<unknown>): Promise<"ok" | "unavailable"> {
  try {
    await probe();
    return "ok";
  } catch (err) {
    console.error("health probe failed", err);
    return "unavailable";
  }
}

/** GET /_health (no auth) — 200 when D1 and Images answer, else 503 naming what is down. */
export async function healthRoute(_req: Request, env: Env): Promise<Response> {
  const [d1, images] = await Promise.all([
    check(() => pingD1(getDb(env, "replica"))),
    check(() => callImages("list", () => env.IMAGES.hosted.list({ limit: 1 }))),
  ]);
  if (d1 === "ok" && images === "ok") return ok({ status: "ok", d1, images });
  const errors = [];
  if (d1 !== "ok") errors.push({ code: ERRORS.storage_unavailable.code, message: "D1 is unavailable" });
  if (images !== "ok")
    errors.push({ code: ERRORS.images_unavailable.code, message: "Images is unavailable" });
  return failure(503, errors);
}
