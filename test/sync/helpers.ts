import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import worker from "../../src/index";
import { ADMIN_TOKEN, type Envelope } from "../helpers";
import { readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";

/** Vars and secrets the sync tests set per call (the Worker reads them from its `env`). */
export type Vars = Record<string, string>;

/** Calls the Worker with `vars` over the test env and waits for all it left in waitUntil. */
export async function call(url: string, init: RequestInit = {}, vars: Vars = {}) {
  const ctx = createExecutionContext();
  const request = new Request(url, { redirect: "manual", ...init }) as Request<
    unknown,
    IncomingRequestCfProperties
  >;
  const res = await worker.fetch(request, { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let body: Envelope | undefined;
  try {
    body = text ? (JSON.parse(text) as Envelope) : undefined;
  } catch {
    body = undefined;
  }
  return { res, status: res.status, body: body as Envelope, headers: res.headers };
}

export function adminCall(method: string, path: string, body?: unknown, vars: Vars = {}) {
  return call(
    `http://gateway.test/_admin${path}`,
    {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    vars,
  );
}

/** Runs the Cron Trigger's upkeep at `scheduledTime` (epoch ms), through the Worker's scheduled handler. */
export async function runCron(scheduledTime: number, vars: Vars = {}) {
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/5 * * * *" }), {
    ...env,
    ...vars,
  } as Env);
}

/** A legacy origin whose content the test changes, answering conditional requests like a CDN. */
export function mutableOrigin(host: string, first: Uint8Array, opts: { conditional?: boolean } = {}) {
  const state = { bytes: first, version: 1, status: 200 as number };
  const origin = serveOrigin(host, (req) => {
    if (state.status !== 200) return new Response("gone", { status: state.status });
    const etag = `"v${state.version}"`;
    if (opts.conditional !== false && req.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers: { etag } });
    }
    return new Response(state.bytes, {
      headers: {
        "content-type": "image/png",
        etag,
        "last-modified": new Date(Date.UTC(2025, 0, state.version)).toUTCString(),
      },
    });
  });
  return {
    origin,
    replace(bytes: Uint8Array) {
      state.bytes = bytes;
      state.version++;
    },
    remove(status = 404) {
      state.status = status;
    },
    restore() {
      state.status = 200;
    },
  };
}

/** The image id a redirect points at (`<DELIVERY>/<id>/<variant>`). */
export function imageIdOf(location: string | null): string {
  const parts = new URL(location!).pathname.split("/");
  return decodeURIComponent(parts[parts.length - 2]!);
}

export async function imageBytesOf(id: string): Promise<Uint8Array | null> {
  const stream = await env.IMAGES.hosted.image(id).bytes();
  return stream ? readAll(stream) : null;
}

export const unixNow = () => Math.floor(Date.now() / 1000);

/**
 * A Cloudinary notification as Cloudinary posts it: the JSON body and the X-Cld-* headers, signed
 * by the cloudinary SDK's own `utils.webhook_signature` (SHA-1 unless told otherwise).
 */
export function cloudinaryNotification(
  payload: Record<string, unknown>,
  secret: string,
  opts: { timestamp?: number; algorithm?: "sha1" | "sha256" } = {},
) {
  const body = JSON.stringify({
    timestamp: new Date().toISOString(),
    request_id: crypto.randomUUID(),
    ...payload,
  });
  const timestamp = opts.timestamp ?? unixNow();
  const signature = cloudinary.utils.webhook_signature(body, timestamp, {
    api_secret: secret,
    signature_algorithm: opts.algorithm ?? "sha1",
  });
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-cld-timestamp": String(timestamp),
      "x-cld-signature": signature,
    },
    body,
  } satisfies RequestInit;
}

/** The gateway's own signed webhook: `X-Gateway-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>`. */
export async function signedWebhook(
  payload: unknown,
  secret: string,
  opts: { timestamp?: number; raw?: string } = {},
) {
  const body = opts.raw ?? JSON.stringify(payload);
  const t = opts.timestamp ?? unixNow();
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${body}`)));
  const hex = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
  return {
    method: "POST",
    headers: { "content-type": "application/json", "x-gateway-signature": `t=${t},v1=${hex}` },
    body,
  } satisfies RequestInit;
}

/** Distinct, valid PNG-headed bytes: `n` tells versions of one asset apart. */
export function pngVersion(n: number, size = 3000): Uint8Array {
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < size; i++) out[i] = (i * 7 + n * 13) & 0xff;
  return out;
}
