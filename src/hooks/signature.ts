import { apiError } from "../errors";
import { secretEquals } from "../http/auth";
import { toHex } from "../ingest/guarded-body";

/**
 * Webhook signatures. Each verifier returns the signature it accepted (a delivery's identity, for
 * replay detection) and the event time, or throws 401 — bad or missing signature, or a timestamp
 * outside the tolerance (either way: a signed timestamp from the future is refused too).
 */
export interface Verified {
  signature: string;
  /** The signed timestamp, epoch seconds. */
  timestamp: number;
  /** Epoch seconds after which this timestamp is refused anyway (replay records may go then). */
  expiresAt: number;
}

const encoder = new TextEncoder();
const invalid = (why: string) => apiError("webhook_signature_invalid", why);

function checkTimestamp(raw: string | null | undefined, toleranceSeconds: number, now: number): number {
  if (!raw || !/^\d{1,12}$/.test(raw)) throw invalid("Missing or malformed signature timestamp");
  const t = Number(raw);
  if (Math.abs(now / 1000 - t) > toleranceSeconds) {
    throw apiError(
      "webhook_timestamp_stale",
      `The signature timestamp is more than ${toleranceSeconds} s away`,
    );
  }
  return t;
}

/** Cloudinary rejects notifications older than this in its SDK (`valid_for` = 7200 s). */
export const CLOUDINARY_TOLERANCE = 2 * 60 * 60;

/**
 * Cloudinary notifications, as the SDK's `utils.verifyNotificationSignature` checks them:
 * `X-Cld-Signature` = hex SHA-1 (or SHA-256) of `body + X-Cld-Timestamp + api_secret`.
 */
export async function verifyCloudinary(
  headers: Headers,
  body: string,
  secret: string,
  algorithm: "sha1" | "sha256",
  now: number,
): Promise<Verified> {
  const given = headers.get("x-cld-signature")?.trim().toLowerCase();
  const rawTime = headers.get("x-cld-timestamp")?.trim();
  if (!given) throw invalid("Missing X-Cld-Signature");
  const timestamp = checkTimestamp(rawTime, CLOUDINARY_TOLERANCE, now);
  const digest = await crypto.subtle.digest(
    algorithm === "sha256" ? "SHA-256" : "SHA-1",
    encoder.encode(body + rawTime + secret),
  );
  if (!(await secretEquals(given, toHex(digest)))) throw invalid("X-Cld-Signature does not match");
  return { signature: given, timestamp, expiresAt: timestamp + CLOUDINARY_TOLERANCE };
}

export const GATEWAY_TOLERANCE = 5 * 60;

/**
 * The gateway's own signed webhook: `X-Gateway-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`, keyed with the UTF-8 bytes of the secret. Several `v1` may be given (a sender
 * rotating its secret); one must match.
 */
export async function verifyGateway(
  headers: Headers,
  body: string,
  secret: string,
  now: number,
): Promise<Verified> {
  const header = headers.get("x-gateway-signature");
  if (!header) throw invalid("Missing X-Gateway-Signature");
  let rawTime: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t") rawTime = value;
    else if (name === "v1" && candidates.length < 5) candidates.push(value.toLowerCase());
  }
  if (candidates.length === 0) throw invalid("X-Gateway-Signature carries no v1 signature");
  const timestamp = checkTimestamp(rawTime, GATEWAY_TOLERANCE, now);
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const expected = toHex(await crypto.subtle.sign("HMAC", key, encoder.encode(`${rawTime}.${body}`)));
  for (const c of candidates) {
    if (await secretEquals(c, expected))
      return { signature: c, timestamp, expiresAt: timestamp + GATEWAY_TOLERANCE };
  }
  throw invalid("X-Gateway-Signature does not match");
}
