import Cloudflare, { toFile } from "cloudflare";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, createSource, gateway, mapKey, READ_TOKEN, uniqueId } from "../helpers";
import { imageBytes, readAll } from "../ingest/helpers";
import { serveOrigin } from "../origin";

/** Every request of the SDK goes into the Worker's own fetch handler. */
const intoWorker = Object.assign(
  (url: string | URL | Request, init?: RequestInit) => exports.default.fetch(new Request(url, init)),
  // The SDK probes a custom fetch for FormData support unless it names its Response class.
  { Response },
);

const client = (apiToken = ADMIN_TOKEN) =>
  new Cloudflare({
    apiToken,
    baseURL: "http://gateway.test/_admin/client/v4",
    fetch: intoWorker as unknown as typeof fetch,
    maxRetries: 0,
  });

const account_id = "023e105f4ecef8ad9ca31a8372d0c353";

describe("the official cloudflare SDK against the gateway", () => {
  it("creates an image with a custom id containing slashes and spaces, and gets, edits, downloads and deletes it", async () => {
    const cf = client();
    const id = `sdk/products/shoe 1-${uniqueId("sdk")}`;
    const bytes = imageBytes("png", 4096);
    const created = await cf.images.v1.create({
      account_id,
      file: await toFile(bytes, "shoe.png", { type: "image/png" }),
      id,
      metadata: { alt: "Red shoe", sku: "A-1" },
    });
    expect(created).toMatchObject({
      id,
      filename: "shoe.png",
      requireSignedURLs: false,
      meta: { alt: "Red shoe", sku: "A-1" },
    });
    expect(await readAll(await env.IMAGES.hosted.image(id).bytes())).toEqual(bytes);

    const got = await cf.images.v1.get(id, { account_id });
    expect(got).toEqual(created);

    const edited = await cf.images.v1.edit(id, { account_id, metadata: { alt: "Blue shoe" } });
    expect(edited.meta).toEqual({ alt: "Blue shoe" });

    const blob = await cf.images.v1.blobs.get(id, { account_id });
    expect(blob.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);

    const deleted = await cf.images.v1.delete(id, { account_id });
    expect(deleted).toEqual({ id, mappings: [] });
    const missing = await cf.images.v1.get(id, { account_id }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Cloudflare.NotFoundError);
    expect((missing as InstanceType<typeof Cloudflare.NotFoundError>).errors[0]).toMatchObject({
      code: 3200,
    });
  });

  it("creates an image from a url", async () => {
    const bytes = imageBytes("jpeg", 2048);
    const origin = serveOrigin("sdk.origin.test", () => new Response(bytes));
    const created = await client().images.v1.create({
      account_id,
      url: "https://sdk.origin.test/catalog/boot.jpg",
      requireSignedURLs: true,
    });
    expect(created).toMatchObject({ filename: "boot.jpg", requireSignedURLs: true });
    expect(origin.hits()).toBe(1);
    expect(await readAll(await env.IMAGES.hosted.image(created.id!).bytes())).toEqual(bytes);
  });

  it("lists with v2 and follows continuation_token through every image once", async () => {
    const cf = client();
    const creator = uniqueId("sdk-list");
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) {
      const img = await cf.images.v1.create({
        account_id,
        file: await toFile(imageBytes("png", 100), `${i}.png`),
        creator,
      });
      ids.push(img.id!);
    }
    const seen: string[] = [];
    let continuation_token: string | null | undefined;
    let pages = 0;
    do {
      const page = await client(READ_TOKEN).images.v2.list({
        account_id,
        per_page: 10,
        creator,
        sort_order: "desc",
        ...(continuation_token ? { continuation_token } : {}),
      });
      seen.push(...page.images!.map((i) => i.id!));
      continuation_token = page.continuation_token;
      pages++;
    } while (continuation_token);
    expect(pages).toBe(2);
    expect(seen).toEqual([...ids].reverse());
  });

  it("surfaces the gateway's errors as the SDK's typed errors", async () => {
    const cf = client();
    const id = uniqueId("sdk-dup");
    await cf.images.v1.create({ account_id, file: await toFile(imageBytes("png"), "a.png"), id });
    const conflict = await cf.images.v1
      .create({ account_id, file: await toFile(imageBytes("png"), "b.png"), id })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(Cloudflare.ConflictError);
    const readOnly = await client(READ_TOKEN)
      .images.v1.delete(id, { account_id })
      .catch((e: unknown) => e);
    expect(readOnly).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(await env.IMAGES.hosted.image(id).details()).not.toBeNull();
  });

  it("deleting through the SDK reports and orphans the mappings of the image", async () => {
    const cf = client();
    const img = await cf.images.v1.create({ account_id, file: await toFile(imageBytes("png"), "m.png") });
    const source = await createSource({ kind: "imgix" });
    const mapping = await mapKey(source.id, "sdk/m.png", img.id!);
    expect((await gateway(`https://${source.host}/sdk/m.png`)).status).toBe(301);
    const result = await cf.images.v1.delete(img.id!, { account_id });
    expect(result).toEqual({
      id: img.id,
      mappings: [{ id: mapping.id, source: source.id, key: "sdk/m.png" }],
    });
    expect((await gateway(`https://${source.host}/sdk/m.png`)).status).toBe(404);
  });
});
