import { config } from "../config";
import { getDb } from "../db/client";
import { firstDelivery } from "../db/hooks";
import { apiError } from "../errors";
import { MAX_JSON_BYTES, readText } from "../http/body";
import { ok } from "../http/envelope";
import { matchableSources } from "../sources/registry";
import { cloudinaryWork } from "./cloudinary";
import { gatewayWork } from "./gateway";
import { webhookSecret } from "./secret";
import { verifyCloudinary, verifyGateway } from "./signature";
import { runHookWork } from "./work";

const HOOK = /^\/_hooks\/(?:(cloudinary)\/)?([^/]+)$/;
/** Replay records outlive their timestamp's tolerance by this much (clock skew between isolates). */
const REPLAY_MARGIN_MS = 60_000;
/**
 * A delivery's timestamp has whole seconds and the sender's clock: an event is taken to have
 * happened up to this much after it, so a check we made in that same moment does not hide it.
 */
const EVENT_SKEW_MS = 5_000;

/**
 * POST /_hooks/cloudinary/:sourceId (Cloudinary notifications) and POST /_hooks/:sourceId (the
 * gateway's signed webhook). Checked in this order, and nothing is changed or started unless all
 * pass: the source exists (404) and names a secret that is set (404 / 503); the body is at most
 * 1 MiB (413); the signature and its timestamp hold (401); the body is JSON (400) of a known shape
 * (422). A delivery already accepted (same signature) answers 200 and does nothing again. The work
 * itself runs after the answer (`waitUntil`), so senders hear back at once.
 */
export async function handleHook(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const match = HOOK.exec(new URL(request.url).pathname);
  if (!match)
    throw apiError("route_not_found", "No such hook: POST /_hooks/<source> or /_hooks/cloudinary/<source>");
  if (request.method !== "POST") throw apiError("method_not_allowed", "Allowed: POST", { allow: "POST" });
  const cloudinary = match[1] !== undefined;
  const id = match[2]!;
  const cfg = config(env);
  const sources = await matchableSources(env, cfg.sourcesCacheTtl);
  const source = sources.find((s) => s.id === id);
  if (!source || (cloudinary && source.kind !== "cloudinary")) {
    throw apiError("source_not_found", `No enabled ${cloudinary ? "Cloudinary " : ""}source with id '${id}'`);
  }
  const secret = webhookSecret(env, source);
  const body = await readText(request, MAX_JSON_BYTES);
  const now = Date.now();
  const verified = cloudinary
    ? await verifyCloudinary(request.headers, body, secret, source.options.signatureAlgorithm ?? "sha1", now)
    : await verifyGateway(request.headers, body, secret, now);
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw apiError("invalid_json", "The body is not valid JSON");
  }
  const work = cloudinary ? cloudinaryWork(source, payload) : gatewayWork(cfg, sources, source, payload);
  const answer = { source: source.id, action: work.action, duplicate: false };
  if (work.action === "ignored") return ok({ ...answer, reason: work.reason });

  const first = await firstDelivery(
    getDb(env, "primary"),
    `${source.id}:${verified.signature}`,
    verified.expiresAt * 1000 + REPLAY_MARGIN_MS,
  );
  if (!first) return ok({ ...answer, duplicate: true });
  ctx.waitUntil(
    runHookWork(env, work, verified.timestamp * 1000 + EVENT_SKEW_MS).then(
      (result) => console.log(JSON.stringify({ hook: source.id, action: work.action, result })),
      (err) => console.error(JSON.stringify({ hook: source.id, action: work.action, error: String(err) })),
    ),
  );
  return ok(answer);
}
