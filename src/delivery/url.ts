import type { Config } from "../config";
import { encodeSegments } from "../parsers/url-encoding";

/**
 * `<DELIVERY_BASE_URL>/<image id, encoded per segment>/<variant>`; with an empty base, the local
 * Images mock on the request's own origin so a browser in `wrangler dev` gets the bytes.
 */
export function deliveryUrl(cfg: Config, requestOrigin: string, imageId: string, variant: string): string {
  const base = cfg.deliveryBaseUrl || `${requestOrigin}/__cf_local/imagedelivery`;
  return `${base}/${encodeSegments(imageId)}/${variant}`;
}

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(secret, key);
  }
  return key;
}

function toHex(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, "0");
  return out;
}

/**
 * Cloudflare Images' signed-URL scheme: `sig` = lowercase-hex HMAC-SHA256, keyed with the UTF-8
 * bytes of the signing key, of `pathname + "?exp=" + exp`.
 */
export async function signDeliveryUrl(url: string, secret: string, exp: number): Promise<string> {
  const pathname = new URL(url).pathname;
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    new TextEncoder().encode(`${pathname}?exp=${exp}`),
  );
  return `${url}?exp=${exp}&sig=${toHex(mac)}`;
}
