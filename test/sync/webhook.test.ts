import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { describe, expect, it } from "vitest";
import { createSource, gateway } from "../helpers";
import { mappingOf } from "../ingest/helpers";
import { call, imageBytesOf, imageIdOf, mutableOrigin, pngVersion, signedWebhook, unixNow } from "./helpers";

const SECRET = "relay-shared-secret";
const VARS = { S3_RELAY_SECRET: SECRET };

/**
 * An S3 source for a bucket of its own, answering the bucket's virtual-hosted AWS URLs (as the AWS
 * SDK writes them), with its originals at a test origin.
 */
async function s3Source(host: string, fields: Record<string, unknown> = {}) {
  const o = mutableOrigin(host, pngVersion(1));
  const bucket = host.split(".")[0]!;
  const client = new S3Client({
    region: "eu-west-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  const urlOf = (key: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }));
  const s = await createSource({
    kind: "s3",
    host: new URL(await urlOf("x")).host,
    origin: `https://${host}`,
    options: { bucket, webhookSecret: "S3_RELAY_SECRET" },
    ...fields,
  });
  const hook = async (payload: unknown, opts: Parameters<typeof signedWebhook>[2] = {}, vars = {}) =>
    call(`https://gateway.test/_hooks/${s.id}`, await signedWebhook(payload, SECRET, opts), {
      ...VARS,
      ...vars,
    });
  return { ...o, s, bucket, urlOf, hook };
}

describe("signed webhook: POST /_hooks/:sourceId", () => {
  it("image.updated by key: refreshed, the legacy URL yields the new bytes", async () => {
    const h = await s3Source("relay-updated.origin.test");
    const url = await h.urlOf("photos/cat.png");
    const oldId = imageIdOf((await gateway(url)).headers.get("location"));
    h.replace(pngVersion(2));
    const res = await h.hook({ event: "image.updated", key: `${h.bucket}/photos/cat.png` });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ action: "refresh", duplicate: false });
    const newId = imageIdOf((await gateway(url)).headers.get("location"));
    expect(newId).not.toBe(oldId);
    expect(await imageBytesOf(newId)).toEqual(pngVersion(2));
  });

  it("image.updated by legacy URL, and image.deleted with onOriginGone orphan", async () => {
    const h = await s3Source("relay-deleted.origin.test", { onOriginGone: "orphan" });
    const url = await h.urlOf("a b.png");
    await gateway(url);
    h.replace(pngVersion(3));
    await h.hook({ event: "image.updated", url });
    expect(await mappingOf(h.s.id, `${h.bucket}/a b.png`)).toMatchObject({ refreshOutcome: "changed" });
    h.remove();
    await h.hook({ event: "image.deleted", url });
    expect(await mappingOf(h.s.id, `${h.bucket}/a b.png`)).toMatchObject({
      state: "orphaned",
      refreshOutcome: "gone",
    });
  });

  it("a replay changes nothing; a bad or stale signature is 401 and nothing changes", async () => {
    const h = await s3Source("relay-replay.origin.test");
    const url = await h.urlOf("r.png");
    await gateway(url);
    h.replace(pngVersion(2));
    const t = unixNow();
    const payload = { event: "image.updated", key: `${h.bucket}/r.png` };
    expect((await h.hook(payload, { timestamp: t })).body.result.duplicate).toBe(false);
    const hits = h.origin.hits();
    const before = await mappingOf(h.s.id, `${h.bucket}/r.png`);
    h.replace(pngVersion(4));
    const replay = await h.hook(payload, { timestamp: t });
    expect(replay.status).toBe(200);
    expect(replay.body.result.duplicate).toBe(true);
    expect(h.origin.hits()).toBe(hits);

    const path = `https://gateway.test/_hooks/${h.s.id}`;
    const stale = await h.hook(payload, { timestamp: unixNow() - 301 });
    expect(stale.status).toBe(401);
    expect(stale.body.errors[0]!.code).toBe(6001);
    const wrong = await call(path, await signedWebhook(payload, "other-secret"), VARS);
    expect(wrong.body.errors[0]!.code).toBe(6000);
    const signed = await signedWebhook(payload, SECRET);
    const tampered = await call(path, { ...signed, body: signed.body.replace("r.png", "x.png") }, VARS);
    expect(tampered.status).toBe(401);
    const missing = await call(path, { method: "POST", body: JSON.stringify(payload) }, VARS);
    expect(missing.status).toBe(401);
    const garbled = await call(path, { ...signed, headers: { "x-gateway-signature": "v1=zz,t=abc" } }, VARS);
    expect(garbled.status).toBe(401);
    expect(h.origin.hits()).toBe(hits);
    expect(await mappingOf(h.s.id, `${h.bucket}/r.png`)).toEqual(before);
  });

  it("bad bodies: 400 for invalid JSON, 422 for a wrong shape or a URL of another source, 413 over 1 MiB", async () => {
    const h = await s3Source("relay-bodies.origin.test");
    const other = await createSource({ kind: "http" });
    expect((await h.hook(null, { raw: "{oops" })).status).toBe(400);
    expect((await h.hook({ event: "image.renamed", key: "k" })).status).toBe(422);
    expect((await h.hook({ event: "image.updated", key: "k", url: "https://x.test/k" })).status).toBe(422);
    expect((await h.hook({ event: "image.updated", key: "../etc" })).status).toBe(422);
    const foreign = await h.hook({ event: "image.updated", url: `https://${other.host}/k.png` });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors[0]!.message).toMatch(/^url: /);
    expect((await h.hook({ event: "image.updated", key: "k", pad: "x".repeat(1024 * 1024) })).status).toBe(
      413,
    );
    expect(h.origin.hits()).toBe(0);
  });
});
