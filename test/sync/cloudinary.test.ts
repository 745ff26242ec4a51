import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway } from "../helpers";
import { mappingOf } from "../ingest/helpers";
import {
  call,
  cloudinaryNotification,
  imageBytesOf,
  imageIdOf,
  mutableOrigin,
  pngVersion,
  runCron,
  unixNow,
} from "./helpers";

const SECRET = "cld-api-secret-for-tests";
const VARS = { CLD_NOTIFY_SECRET: SECRET };

/** A Cloudinary source whose notifications are signed with SECRET, and the URL of one asset of it. */
async function cloudinarySource(
  host: string,
  fields: Record<string, unknown> = {},
  options: Record<string, unknown> = {},
) {
  const o = mutableOrigin(host, pngVersion(1));
  const s = await createSource({
    kind: "cloudinary",
    origin: `https://${host}/demo`,
    options: { cloudName: "demo", webhookSecret: "CLD_NOTIFY_SECRET", ...options },
    ...fields,
  });
  const urlOf = (publicId: string, t: Record<string, unknown> = { width: 200, crop: "fill" }) =>
    cloudinary
      .url(publicId, { cloud_name: "demo", secure: true, format: "png", version: 1712, ...t })
      .replace("https://res.cloudinary.com", `https://${s.host}`);
  const hook = (
    payload: Record<string, unknown>,
    opts: Parameters<typeof cloudinaryNotification>[2] = {},
    vars = {},
  ) =>
    call(`https://gateway.test/_hooks/cloudinary/${s.id}`, cloudinaryNotification(payload, SECRET, opts), {
      ...VARS,
      ...vars,
    });
  return { ...o, s, urlOf, hook };
}

const uploadOf = (publicId: string, version = 1712000001) => ({
  notification_type: "upload",
  public_id: publicId,
  version,
  resource_type: "image",
  type: "upload",
  format: "png",
  overwritten: true,
});

describe("Cloudinary notifications: POST /_hooks/cloudinary/:sourceId", () => {
  it("overwrite at the origin + upload notification: the legacy URL yields the new bytes; the old image goes after REDIRECT_MAX_AGE", async () => {
    const c = await cloudinarySource("cld-overwrite.origin.test");
    const url = c.urlOf("products/shoe");
    const oldId = imageIdOf((await gateway(url)).headers.get("location"));

    c.replace(pngVersion(2));
    const vars = { REDIRECT_MAX_AGE: "120", LOOKUP_CACHE_TTL: "60" };
    const at = Date.now();
    const res = await c.hook(uploadOf("products/shoe"), {}, vars);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ source: c.s.id, action: "refresh", duplicate: false });
    // Fetched at its versioned URL, which Cloudinary's CDN cannot answer from the old cache.
    expect(new URL(c.origin.requests.at(-1)!.url).pathname).toBe(
      "/demo/image/upload/v1712000001/products/shoe",
    );

    const hit = await gateway(url);
    const newId = imageIdOf(hit.headers.get("location"));
    expect(newId).not.toBe(oldId);
    expect(hit.headers.get("location")).toBe(`${DELIVERY}/${newId}/w=200,fit=cover`);
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
    const m = await mappingOf(c.s.id, "products/shoe");
    expect(m).toMatchObject({ refreshOutcome: "changed", imageId: newId });
    // The stored origin URL stays the canonical one (later refreshes must not pin this version).
    expect(m.originUrl).toBe("https://cld-overwrite.origin.test/demo/image/upload/products/shoe.png");

    await runCron(at + 179_000);
    expect(await imageBytesOf(oldId)).toEqual(pngVersion(1));
    await runCron(at + 185_000);
    expect(await imageBytesOf(oldId)).toBeNull();
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
  });

  it("a replayed notification changes nothing the second time", async () => {
    const c = await cloudinarySource("cld-replay.origin.test");
    const url = c.urlOf("replayed");
    await gateway(url);
    c.replace(pngVersion(2));
    const request = cloudinaryNotification(uploadOf("replayed"), SECRET);
    const first = await call(`https://gateway.test/_hooks/cloudinary/${c.s.id}`, request, VARS);
    expect(first.body.result.duplicate).toBe(false);
    const afterFirst = await mappingOf(c.s.id, "replayed");
    const hits = c.origin.hits();

    const again = await call(`https://gateway.test/_hooks/cloudinary/${c.s.id}`, request, VARS);
    expect(again.status).toBe(200);
    expect(again.body.result.duplicate).toBe(true);
    expect(c.origin.hits()).toBe(hits);
    expect(await mappingOf(c.s.id, "replayed")).toEqual(afterFirst);
  });

  it("an upload of an asset nobody mapped is accepted and changes nothing (its first hit ingests it)", async () => {
    const c = await cloudinarySource("cld-new.origin.test");
    const res = await c.hook(uploadOf("brand/new"));
    expect(res.status).toBe(200);
    expect(c.origin.hits()).toBe(0);
    expect(await mappingOf(c.s.id, "brand/new")).toBeNull();
  });

  it("rename: the mapping moves to the new public id with its image, nothing is fetched", async () => {
    const c = await cloudinarySource("cld-rename.origin.test");
    const id = imageIdOf((await gateway(c.urlOf("old/name"))).headers.get("location"));
    const fetched = c.origin.hits();
    const res = await c.hook({
      notification_type: "rename",
      from_public_id: "old/name",
      to_public_id: "new/name",
      resource_type: "image",
      type: "upload",
    });
    expect(res.body.result.action).toBe("rename");
    expect(await mappingOf(c.s.id, "old/name")).toBeNull();
    expect(await mappingOf(c.s.id, "new/name")).toMatchObject({
      state: "ready",
      imageId: id,
      originUrl: "https://cld-rename.origin.test/demo/image/upload/new/name",
    });
    const hit = await gateway(c.urlOf("new/name"));
    expect(imageIdOf(hit.headers.get("location"))).toBe(id);
    expect(c.origin.hits()).toBe(fetched);
  });

  it("rename onto a public id that is already mapped: the renamed asset replaces it, its image is retired", async () => {
    const c = await cloudinarySource("cld-rename2.origin.test");
    const moving = imageIdOf((await gateway(c.urlOf("a"))).headers.get("location"));
    c.replace(pngVersion(2));
    const replaced = imageIdOf((await gateway(c.urlOf("b"))).headers.get("location"));
    await c.hook(
      { notification_type: "rename", from_public_id: "a", to_public_id: "b" },
      {},
      {
        REDIRECT_MAX_AGE: "0",
        LOOKUP_CACHE_TTL: "0",
      },
    );
    expect(imageIdOf((await gateway(c.urlOf("b"))).headers.get("location"))).toBe(moving);
    expect(await mappingOf(c.s.id, "a")).toBeNull();
    await runCron(Date.now() + 1000);
    expect(await imageBytesOf(replaced)).toBeNull();
    expect(await imageBytesOf(moving)).toEqual(pngVersion(1));
  });

  it("delete with onOriginGone keep (default): the migrated copy stays and keeps being served", async () => {
    const c = await cloudinarySource("cld-delkeep.origin.test");
    const url = c.urlOf("keep/me");
    const id = imageIdOf((await gateway(url)).headers.get("location"));
    c.remove();
    const res = await c.hook({
      notification_type: "delete",
      resources: [{ public_id: "keep/me", resource_type: "image", type: "upload" }],
    });
    expect(res.body.result.action).toBe("gone");
    expect(await mappingOf(c.s.id, "keep/me")).toMatchObject({
      state: "ready",
      imageId: id,
      refreshOutcome: "gone",
    });
    expect(imageIdOf((await gateway(url)).headers.get("location"))).toBe(id);
  });

  it("delete with onOriginGone orphan: the mapping is orphaned, the legacy URL stops redirecting to the copy", async () => {
    const c = await cloudinarySource("cld-delorphan.origin.test", { onOriginGone: "orphan" });
    const url = c.urlOf("drop/me");
    const id = imageIdOf((await gateway(url)).headers.get("location"));
    c.remove();
    await c.hook(
      {
        notification_type: "delete",
        resources: [
          { public_id: "drop/me", resource_type: "image", type: "upload" },
          { public_id: "a-video", resource_type: "video", type: "upload" },
        ],
      },
      {},
      { REDIRECT_MAX_AGE: "0", LOOKUP_CACHE_TTL: "0" },
    );
    expect(await mappingOf(c.s.id, "drop/me")).toMatchObject({ state: "orphaned", refreshOutcome: "gone" });
    const hit = await gateway(url);
    expect(hit.status).toBe(404);
    await runCron(Date.now() + 1000);
    expect(await imageBytesOf(id)).toBeNull();
  });

  it("a late delete (the asset was re-checked after it) changes nothing", async () => {
    const c = await cloudinarySource("cld-late.origin.test", { onOriginGone: "orphan" });
    const url = c.urlOf("late");
    await gateway(url);
    const res = await c.hook(
      { notification_type: "delete", resources: [{ public_id: "late" }] },
      { timestamp: unixNow() - 600 },
    );
    expect(res.status).toBe(200);
    expect(await mappingOf(c.s.id, "late")).toMatchObject({ state: "ready" });
  });

  it("SHA-256 signatures when the source says signatureAlgorithm sha256", async () => {
    const c = await cloudinarySource("cld-sha256.origin.test", {}, { signatureAlgorithm: "sha256" });
    await gateway(c.urlOf("x"));
    const sha1 = await c.hook(uploadOf("x"));
    expect(sha1.status).toBe(401);
    const sha256 = await c.hook(uploadOf("x"), { algorithm: "sha256" });
    expect(sha256.status).toBe(200);
  });

  it("other notification types and other resource types are answered 200 and ignored", async () => {
    const c = await cloudinarySource("cld-other.origin.test");
    const eager = await c.hook({ notification_type: "eager", public_id: "x" });
    expect(eager.status).toBe(200);
    expect(eager.body.result).toMatchObject({ action: "ignored" });
    const video = await c.hook({ ...uploadOf("clip"), resource_type: "video" });
    expect(video.body.result.action).toBe("ignored");
  });
});

describe("Cloudinary notifications: bad input changes nothing", () => {
  it("a wrong, missing or stale signature is 401; the mapping stays, nothing is fetched", async () => {
    const c = await cloudinarySource("cld-bad.origin.test");
    await gateway(c.urlOf("guarded"));
    c.replace(pngVersion(2));
    const before = await mappingOf(c.s.id, "guarded");
    const hits = c.origin.hits();
    const path = `https://gateway.test/_hooks/cloudinary/${c.s.id}`;

    const wrongSecret = cloudinaryNotification(uploadOf("guarded"), "not-the-secret");
    expect((await call(path, wrongSecret, VARS)).body.errors[0]!.code).toBe(6000);

    const tampered = cloudinaryNotification(uploadOf("guarded"), SECRET);
    const changed = { ...tampered, body: tampered.body.replace("guarded", "other") };
    expect((await call(path, changed, VARS)).status).toBe(401);

    const unsigned = { method: "POST", body: JSON.stringify(uploadOf("guarded")) };
    expect((await call(path, unsigned, VARS)).status).toBe(401);

    const stale = await c.hook(uploadOf("guarded"), { timestamp: unixNow() - 2 * 3600 - 60 });
    expect(stale.status).toBe(401);
    expect(stale.body.errors[0]!.code).toBe(6001);
    // The SDK's own check agrees that it is too old.
    cloudinary.config({ api_secret: SECRET, signature_algorithm: "sha1" });
    const old = unixNow() - 2 * 3600 - 60;
    const sdkReq = cloudinaryNotification(uploadOf("guarded"), SECRET, { timestamp: old });
    expect(
      cloudinary.utils.verifyNotificationSignature(sdkReq.body, old, sdkReq.headers["x-cld-signature"]),
    ).toBe(false);

    expect(c.origin.hits()).toBe(hits);
    expect(await mappingOf(c.s.id, "guarded")).toEqual(before);
  });

  it("a signature the SDK accepts is accepted", async () => {
    const c = await cloudinarySource("cld-sdk.origin.test");
    await gateway(c.urlOf("ok"));
    const t = unixNow();
    const req = cloudinaryNotification(uploadOf("ok"), SECRET, { timestamp: t });
    cloudinary.config({ api_secret: SECRET, signature_algorithm: "sha1" });
    expect(cloudinary.utils.verifyNotificationSignature(req.body, t, req.headers["x-cld-signature"])).toBe(
      true,
    );
    expect((await call(`https://gateway.test/_hooks/cloudinary/${c.s.id}`, req, VARS)).status).toBe(200);
  });

  it("invalid JSON is 400, a body over 1 MiB 413, an unknown source or a non-Cloudinary source 404", async () => {
    const c = await cloudinarySource("cld-input.origin.test");
    const path = `https://gateway.test/_hooks/cloudinary/${c.s.id}`;
    const t = String(unixNow());
    const raw = "{not json";
    const signature = cloudinary.utils.webhook_signature(raw, Number(t), {
      api_secret: SECRET,
      signature_algorithm: "sha1",
    });
    const bad = await call(
      path,
      { method: "POST", headers: { "x-cld-timestamp": t, "x-cld-signature": signature }, body: raw },
      VARS,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.code).toBe(1003);

    const big = cloudinaryNotification({ ...uploadOf("x"), padding: "x".repeat(1024 * 1024) }, SECRET);
    expect((await call(path, big, VARS)).status).toBe(413);

    const unknown = await call(
      "https://gateway.test/_hooks/cloudinary/no-such-source",
      cloudinaryNotification(uploadOf("x"), SECRET),
      VARS,
    );
    expect(unknown.status).toBe(404);
    const s3 = await createSource({
      kind: "s3",
      options: { bucket: "bucket-one", webhookSecret: "CLD_NOTIFY_SECRET" },
    });
    const wrongKind = await call(
      `https://gateway.test/_hooks/cloudinary/${s3.id}`,
      cloudinaryNotification(uploadOf("x"), SECRET),
      VARS,
    );
    expect(wrongKind.status).toBe(404);
    expect((await call(path, { method: "GET" }, VARS)).status).toBe(405);
  });

  it("a source without webhookSecret has no hook (404); one whose secret is not set answers 503 and was warned about", async () => {
    const none = await createSource({ kind: "cloudinary", options: { cloudName: "demo" } });
    const res = await call(
      `https://gateway.test/_hooks/cloudinary/${none.id}`,
      cloudinaryNotification(uploadOf("x"), SECRET),
      VARS,
    );
    expect(res.status).toBe(404);
    expect(res.body.errors[0]!.code).toBe(6002);

    const created = await admin("POST", "/sources", {
      id: `unset-${Date.now().toString(36)}`,
      kind: "cloudinary",
      host: "unset.test",
      options: { webhookSecret: "NOT_SET_ANYWHERE" },
    });
    expect(created.status).toBe(201);
    expect(created.body.messages).toEqual([expect.stringContaining("NOT_SET_ANYWHERE")]);
    const unset = await call(
      `https://gateway.test/_hooks/cloudinary/${created.body.result.id}`,
      cloudinaryNotification(uploadOf("x"), SECRET),
      VARS,
    );
    expect(unset.status).toBe(503);
    expect(unset.body.errors[0]!.code).toBe(6003);
    const patched = await admin("PATCH", `/sources/${created.body.result.id}`, { enabled: true });
    expect(patched.body.messages).toHaveLength(1);
    // The gateway's own secrets cannot be named.
    const own = await admin("PATCH", `/sources/${created.body.result.id}`, {
      options: { webhookSecret: "ADMIN_TOKEN" },
    });
    expect(own.status).toBe(422);
  });

  it("/_hooks is the gateway's own: never matched to a source serving every path", async () => {
    const s = await createSource({ kind: "http", pathPrefix: "/", origin: "https://catchall.origin.test" });
    const res = await gateway(`https://${s.host}/_hooks/something/else`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).errors[0].code).toBe(1001);
    expect((await gateway(`https://${s.host}/_hooks/${s.id}`)).status).toBe(405);
  });
});
