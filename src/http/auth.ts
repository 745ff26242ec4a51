import type { Config } from "../config";
import { apiError } from "../errors";

export type AdminRole = "admin" | "read";

const encoder = new TextEncoder();

/** Compares two secrets in constant time (hashing first so lengths never leak either). */
export async function secretEquals(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * Bearer auth for /_admin. Fails closed: without ADMIN_TOKEN every admin route answers 503.
 * ADMIN_READ_TOKEN may only read (GET/HEAD); anything else with it is 403.
 */
export async function authorize(request: Request, cfg: Config): Promise<AdminRole> {
  if (!cfg.adminToken) throw apiError("admin_disabled", "The admin API is disabled: ADMIN_TOKEN is not set");
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const challenge = { "www-authenticate": 'Bearer realm="legacy-image-gateway"' };
  if (!match) throw apiError("unauthorized", "Missing bearer token", challenge);
  const token = match[1]!;
  const [isAdmin, isReader] = await Promise.all([
    secretEquals(token, cfg.adminToken),
    cfg.adminReadToken ? secretEquals(token, cfg.adminReadToken) : Promise.resolve(false),
  ]);
  if (isAdmin) return "admin";
  if (isReader) {
    if (READ_METHODS.has(request.method)) return "read";
    throw apiError("forbidden", "This token may only read");
  }
  throw apiError("unauthorized", "Invalid bearer token", challenge);
}
