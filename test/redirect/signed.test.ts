import { describe, expect, it } from "vitest";
import { signDeliveryUrl } from "../../src/delivery/url";
import { createSource, DELIVERY, gateway, mapKey, SIGNING_KEY, uploadImage } from "../helpers";

/** Cloudflare's documented scheme, written out independently of the gateway's code. */
async function expectedSig(key: string, pathname: string, exp: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(`${pathname}?exp=${exp}`)),
  );
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Verifies a signed delivery URL the way Cloudflare does: `sig` must be the HMAC of its own path and exp. */
async function verifies(url: URL, key: string): Promise<boolean> {
  const exp = url.searchParams.get("exp");
  const sig = url.searchParams.get("sig");
  if (exp === null || sig === null) return false;
  return sig === (await expectedSig(key, url.pathname, exp));
}

describe("signed delivery URLs", () => {
  it("matches known HMAC-SHA256 vectors (computed with Python's hmac)", async () => {
    // Fixed inputs of the vectors (not the test configuration, which may change).
    const base = "https://imagedelivery.net/test-hash";
    expect(await signDeliveryUrl(`${base}/legacy/a%20b/w=100`, "test-signing-key", 1900000000)).toBe(
      `${base}/legacy/a%20b/w=100?exp=1900000000&sig=cdc8ac75065abd912cf65d4b8f6aca1d1a1ebdd668542e3c332dec7d2ab03e80`,
    );
    // The key is taken as UTF-8 bytes, the path as it appears in the URL.
    expect(await signDeliveryUrl(`${base}/img%C3%A9/public`, "clé-secrète", 1700000000)).toMatch(
      /sig=6be7d2bdbd2b54de468462ee116b7af7c5cff9395cfd62e83130080816efa2e9$/,
    );
  });

  it("redirects 302 to a named variant with exp and a valid sig, cached no longer than the signature lives", async () => {
    const s = await createSource({
      kind: "imgix",
      requireSignedURLs: true,
      defaultVariant: "public",
      redirectStatus: 301,
    });
    const imageId = await uploadImage("private/photo one");
    await mapKey(s.id, "photo.jpg", imageId);
    const before = Math.floor(Date.now() / 1000);
    const res = await gateway(`https://${s.host}/photo.jpg?w=300&fit=crop`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    // Flexible options are never used with signed URLs: the named/default variant is.
    expect(`${location.origin}${location.pathname}`).toBe(`${DELIVERY}/private/photo%20one/public`);
    const exp = location.searchParams.get("exp")!;
    expect(Number(exp)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(exp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
    expect(location.searchParams.get("sig")).toBe(await expectedSig(SIGNING_KEY, location.pathname, exp));
    expect([...location.searchParams.keys()]).toEqual(["exp", "sig"]);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("cache-control")!)![1]);
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(maxAge).toBeLessThanOrEqual(Number(exp) - before);
  });

  it("a redirect's signature verifies with the signing key, and no longer once path, exp or key change", async () => {
    const s = await createSource({ kind: "imgix", requireSignedURLs: true });
    const m = await mapKey(s.id, "a.jpg");
    const res = await gateway(`https://${s.host}/a.jpg`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.pathname).toBe(`${new URL(DELIVERY).pathname}/${m.imageId}/public`);
    // What Cloudflare checks: the signature of this very path and exp, under the configured key.
    expect(await verifies(location, SIGNING_KEY)).toBe(true);
    // Someone editing the URL (another variant, a later expiry) or holding another key cannot pass.
    const otherVariant = new URL(location);
    otherVariant.pathname = location.pathname.replace(/public$/, "original");
    expect(await verifies(otherVariant, SIGNING_KEY)).toBe(false);
    const later = new URL(location);
    later.searchParams.set("exp", String(Number(location.searchParams.get("exp")) + 3600));
    expect(await verifies(later, SIGNING_KEY)).toBe(false);
    expect(await verifies(location, "other-key")).toBe(false);
  });
});
