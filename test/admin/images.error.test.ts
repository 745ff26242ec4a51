import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, ADMIN_TOKEN, expectError, gateway, READ_TOKEN, uniqueId } from "../helpers";
import { imageBytes, readAll } from "../ingest/helpers";
import { serveOrigin, sizedBody, stallingBody } from "../origin";
import { imageMetadata } from "../../src/admin/images/schema";

const MiB = 1024 * 1024;

function form(fields: Record<string, string | Blob>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** POST /_admin/images/v1 with a multipart body built from `fields`. */
const upload = (fields: Record<string, string | Blob>, token?: string) =>
  admin("POST", "/images/v1", undefined, { raw: form(fields), token });

const pngFile = (size = 2000) => new File([imageBytes("png", size)], "p.png", { type: "image/png" });

const stored = (id: string) => env.IMAGES.hosted.image(id).details();

describe("images upload: conflicts", () => {
  it("answers 409 to a custom id that exists and leaves the existing image untouched", async () => {
    const id = `dup/${uniqueId("d")}`;
    const first = imageBytes("png", 1500);
    expect((await upload({ file: new File([first], "a.png"), id, metadata: '{"v":1}' })).status).toBe(200);

    const again = await upload({
      file: new File([imageBytes("jpeg", 900)], "b.jpg"),
      id,
      metadata: '{"v":2}',
    });
    await expectError(again, 409, 3201);
    expect(again.body.errors[0]!.message).toContain(id);
    expect(await stored(id)).toMatchObject({ filename: "a.png", meta: { v: 1 } });
    expect(await readAll(await env.IMAGES.hosted.image(id).bytes())).toEqual(first);
  });

  it("checks the id before fetching a url", async () => {
    const id = uniqueId("dup-url");
    await upload({ file: pngFile(), id });
    const origin = serveOrigin("never.origin.test", () => new Response(imageBytes("png")));
    await expectError(await upload({ url: "https://never.origin.test/a.png", id }), 409, 3201);
    expect(origin.hits()).toBe(0);
  });
});

describe("images upload: refused content, nothing stored", () => {
  it("refuses metadata over 1024 bytes, naming the field", async () => {
    const id = uniqueId("meta");
    const metadata = JSON.stringify({ note: "x".repeat(1020) });
    const res = await upload({ file: pngFile(), id, metadata });
    await expectError(res, 422, 1004, "metadata");
    expect(res.body.errors[0]!.message).toMatch(/1024 bytes/);
    expect(await stored(id)).toBeNull();
  });

  it("counts the 1024-byte metadata limit in UTF-8 bytes of the JSON, 1024 included", () => {
    // Checked on the schema: the local mock keeps all of an image's details in one KV metadata
    // entry, itself limited to 1024 bytes, so it cannot store 1024 bytes of user metadata.
    const fits = { note: "x".repeat(1024 - '{"note":""}'.length) };
    expect(imageMetadata.safeParse(fits).success).toBe(true);
    expect(imageMetadata.safeParse({ note: `${fits.note}x` }).success).toBe(false);
    const multiByte = { note: "é".repeat(507) }; // 1014 bytes + 11 of JSON: 1025
    expect(imageMetadata.safeParse(multiByte).success).toBe(false);
  });

  it.each([
    ["not json", "{nope"],
    ["an array", "[1,2]"],
    ["null", "null"],
    ["a string", '"text"'],
  ])("refuses metadata that is %s", async (_what, metadata) => {
    await expectError(await upload({ file: pngFile(), metadata }), 422, 1004, "metadata");
  });

  it("refuses a file that is not an image Images accepts with 415 and stores nothing", async () => {
    const id = uniqueId("html");
    const html = new File(["<!doctype html><html><body>Not found</body></html>"], "x.png", {
      type: "image/png",
    });
    const res = await upload({ file: html, id });
    await expectError(res, 415, 1006, "file");
    expect(await stored(id)).toBeNull();
  });

  it("refuses a file over 10 MiB with 413 and stores nothing", async () => {
    const id = uniqueId("big");
    const big = new File([imageBytes("png", 10 * MiB + 1)], "big.png");
    const res = await upload({ file: big, id });
    await expectError(res, 413, 1005);
    expect(await stored(id)).toBeNull();
    // 10 MiB itself is fine.
    const max = await upload({ file: new File([imageBytes("png", 10 * MiB)], "max.png") });
    expect(max.status).toBe(200);
  });

  it("refuses a body far over 10 MiB while reading it, even without Content-Length", async () => {
    const f = form({ file: new File([imageBytes("png", 12 * MiB)], "huge.png") });
    const framed = new Request("http://x/", { method: "POST", body: f });
    const res = await gateway("http://gateway.test/_admin/images/v1", {
      method: "POST",
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": framed.headers.get("content-type")!,
      },
      body: framed.body, // a stream: sent without Content-Length
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, 1005);
  });

  it("refuses both file and url, and neither", async () => {
    serveOrigin("both.origin.test", () => new Response(imageBytes("png")));
    const both = await upload({ file: pngFile(), url: "https://both.origin.test/a.png" });
    await expectError(both, 422, 1004, "file");
    expect(both.body.errors[0]!.message).toMatch(/not both/);
    await expectError(await upload({ id: uniqueId("none") }), 422, 1004, "file");
  });

  it.each([
    ["a UUID", "0d4c3a0e-7a7e-4c4b-9a3b-2f7f6f1d2c11", "id"],
    ["a leading slash", "/lead", "id"],
    ["a trailing slash", "trail/", "id"],
    ["a '..' segment", "a/../b", "id"],
    ["an empty segment", "a//b", "id"],
    ["a control character", "a\u0001b", "id"],
    ["more than 1024 characters", "x".repeat(1025), "id"],
  ])("refuses a custom id with %s", async (_what, id, field) => {
    await expectError(await upload({ file: pngFile(), id }), 422, 1004, field);
  });

  it("refuses a custom id together with requireSignedURLs=true", async () => {
    const id = uniqueId("private");
    const res = await upload({ file: pngFile(), id, requireSignedURLs: "true" });
    await expectError(res, 422, 1004, "requireSignedURLs");
    expect(await stored(id)).toBeNull();
  });

  it.each([
    ["requireSignedURLs", { requireSignedURLs: "yes" }],
    ["url", { url: "ftp://files.example/a.png" }],
    ["url", { url: "javascript:alert(1)" }],
    ["url", { url: "not a url" }],
    ["colour", { colour: "red" }],
  ])("answers 422 naming %s", async (field, extra) => {
    const fields: Record<string, string | Blob> = { ...extra };
    if (!("url" in extra)) fields.file = pngFile();
    await expectError(await upload(fields), 422, 1004, field);
  });

  it("answers 415 to a body that is not multipart/form-data", async () => {
    const res = await admin("POST", "/images/v1", { url: "https://a.test/x.png" });
    await expectError(res, 415, 1006);
  });
});

describe("images upload by url: origin failures", () => {
  it("refuses an HTML page served with 200 (415), nothing stored", async () => {
    serveOrigin("html.origin.test", () => new Response("<html><body>oops</body></html>"));
    const id = uniqueId("url-html");
    await expectError(await upload({ url: "https://html.origin.test/a.png", id }), 415, 4002, "url");
    expect(await stored(id)).toBeNull();
  });

  it("refuses an original over 10 MiB, by Content-Length or by count", async () => {
    const declared = serveOrigin(
      "declared.origin.test",
      () =>
        new Response(sizedBody(imageBytes("png", 64), 10 * MiB + 10), {
          headers: { "content-length": String(10 * MiB + 10) },
        }),
    );
    const byHeader = await upload({ url: "https://declared.origin.test/a.png" });
    await expectError(byHeader, 413, 4003, "url");
    expect(byHeader.body.errors[0]!.message).toContain(`is ${10 * MiB + 10} bytes`);
    expect(declared.hits()).toBe(1);

    serveOrigin("chunked.origin.test", () => new Response(sizedBody(imageBytes("png", 64), 10 * MiB + 1)));
    const id = uniqueId("url-big");
    await expectError(await upload({ url: "https://chunked.origin.test/a.png", id }), 413, 4003, "url");
    expect(await stored(id)).toBeNull();
  });

  it("answers 404 when the origin has no such image and 502 when it fails", async () => {
    serveOrigin("gone.origin.test", () => new Response("no", { status: 404 }));
    await expectError(await upload({ url: "https://gone.origin.test/a.png" }), 404, 2005, "url");
    serveOrigin("down.origin.test", () => new Response("down", { status: 503 }));
    await expectError(await upload({ url: "https://down.origin.test/a.png" }), 502, 4000, "url");
  });

  it("does not follow a redirect to another host", async () => {
    serveOrigin("hop.origin.test", () => Response.redirect("https://elsewhere.origin.test/a.png", 302));
    const elsewhere = serveOrigin("elsewhere.origin.test", () => new Response(imageBytes("png")));
    await expectError(await upload({ url: "https://hop.origin.test/a.png" }), 502, 4000, "url");
    expect(elsewhere.hits()).toBe(0);
  });

  it("gives up after INGEST_TIMEOUT_MS when the origin stalls (504)", async () => {
    serveOrigin("slow.origin.test", (_req, signal) => new Response(stallingBody([], signal)));
    const id = uniqueId("url-slow");
    const res = await admin("POST", "/images/v1", undefined, {
      raw: form({ url: "https://slow.origin.test/a.png", id }),
      vars: { INGEST_TIMEOUT_MS: "100" },
    });
    await expectError(res, 504, 4001);
    expect(await stored(id)).toBeNull();
  });
});

describe("images: not found", () => {
  it("answers 404 image_not_found in the envelope for get, patch, delete and blob", async () => {
    const id = `missing/${uniqueId("m")}`;
    for (const [method, path, body] of [
      ["GET", `/images/v1/${id}`, undefined],
      ["PATCH", `/images/v1/${id}`, { metadata: {} }],
      ["DELETE", `/images/v1/${id}`, undefined],
      ["GET", `/images/v1/${id}/blob`, undefined],
    ] as const) {
      const res = await admin(method, path, body);
      await expectError(res, 404, 3200);
      expect(res.body.errors[0]!.message).toContain(id);
    }
  });

  it("answers 400 to an id that is not valid percent-encoding", async () => {
    await expectError(await admin("GET", "/images/v1/bad%zzid"), 400, 1007);
  });
});

describe("images: patch refusals", () => {
  it("refuses requireSignedURLs=true on an image with a custom id, which stays public", async () => {
    const id = uniqueId("custom");
    await upload({ file: pngFile(), id });
    await expectError(
      await admin("PATCH", `/images/v1/${id}`, { requireSignedURLs: true }),
      422,
      1004,
      "requireSignedURLs",
    );
    expect((await stored(id))!.requireSignedURLs).toBe(false);
  });

  it("refuses metadata over 1024 bytes, unknown fields and bad JSON", async () => {
    const id = uniqueId("patch");
    await upload({ file: pngFile(), id, metadata: '{"keep":1}' });
    const big = await admin("PATCH", `/images/v1/${id}`, { metadata: { a: "x".repeat(1100) } });
    await expectError(big, 422, 1004, "metadata");
    await expectError(await admin("PATCH", `/images/v1/${id}`, { filename: "x.png" }), 422, 1004);
    await expectError(await admin("PATCH", `/images/v1/${id}`, { metadata: [1] }), 422, 1004, "metadata");
    await expectError(
      await admin("PATCH", `/images/v1/${id}`, undefined, {
        raw: "{oops",
        headers: { "content-type": "application/json" },
      }),
      400,
      1003,
    );
    expect((await stored(id))!.meta).toEqual({ keep: 1 });
  });
});

describe("images: list refusals", () => {
  it.each([
    ["per_page=9", "per_page"],
    ["per_page=10001", "per_page"],
    ["per_page=ten", "per_page"],
    ["sort_order=sideways", "sort_order"],
    ["continuation_token=bm90LWEtdG9rZW4", "continuation_token"],
    ["page=2", "body"],
  ])("answers 422 to %s", async (query, field) => {
    await expectError(await admin("GET", `/images/v2?${query}`), 422, 1004, field);
  });

  it("refuses a continuation token with another sort order or creator than it was issued for", async () => {
    const creator = uniqueId("tok");
    for (let i = 0; i < 11; i++) await upload({ file: pngFile(100), creator });
    const first = await admin("GET", `/images/v2?per_page=10&creator=${creator}&sort_order=asc`);
    const token = encodeURIComponent(first.body.result.continuation_token);
    await expectError(
      await admin("GET", `/images/v2?continuation_token=${token}&sort_order=desc`),
      422,
      1004,
      "sort_order",
    );
    await expectError(
      await admin("GET", `/images/v2?continuation_token=${token}&creator=other`),
      422,
      1004,
      "creator",
    );
    expect((await admin("GET", `/images/v2?continuation_token=${token}&sort_order=asc`)).status).toBe(200);
  });
});

describe("images: routing and auth", () => {
  it("answers 405 with Allow to other methods", async () => {
    const list = await admin("GET", "/images/v1");
    await expectError(list, 405, 1002);
    expect(list.headers.get("allow")).toBe("POST");
    const put = await admin("PUT", "/images/v1/some/id", {});
    await expectError(put, 405, 1002);
    expect(put.headers.get("allow")).toBe("GET, PATCH, DELETE");
    expect((await admin("DELETE", "/images/v1/some/id/blob")).headers.get("allow")).toBe("GET");
  });

  it("lets the read-only token GET but answers 403 to its uploads, patches and deletes", async () => {
    const id = uniqueId("ro");
    const bytes = imageBytes("png", 700);
    await upload({ file: new File([bytes], "ro.png"), id });
    for (const path of [`/images/v1/${id}`, "/images/v2", `/images/v1/${id}/blob`]) {
      expect(
        (
          await gateway(`http://gateway.test/_admin${path}`, {
            headers: { authorization: `Bearer ${READ_TOKEN}` },
          })
        ).status,
      ).toBe(200);
    }
    const newId = uniqueId("ro-new");
    await expectError(await upload({ file: pngFile(), id: newId }, READ_TOKEN), 403, 1101);
    await expectError(
      await admin("PATCH", `/images/v1/${id}`, { metadata: { x: 1 } }, { token: READ_TOKEN }),
      403,
      1101,
    );
    await expectError(await admin("DELETE", `/images/v1/${id}`, undefined, { token: READ_TOKEN }), 403, 1101);
    expect(await stored(newId)).toBeNull();
    expect(await stored(id)).toMatchObject({ meta: {} });
  });

  it("answers 401 without a token under both prefixes", async () => {
    await expectError(await admin("GET", "/images/v2", undefined, { token: null }), 401, 1100);
    await expectError(
      await admin("GET", "/client/v4/accounts/acc/images/v2", undefined, { token: null }),
      401,
      1100,
    );
  });
});

describe("images: when the Images binding fails", () => {
  const hosted = env.IMAGES.hosted;
  const call = (IMAGES: unknown, path: string, init: { method?: string; body?: FormData } = {}) =>
    admin(init.method ?? "GET", path, undefined, { raw: init.body, vars: { IMAGES } });

  it("answers 503 images_unavailable when Images cannot be reached", async () => {
    const down = {
      hosted: {
        image: () => ({ details: () => Promise.reject(new Error("connection reset")) }),
        list: () => Promise.reject(new Error("connection reset")),
      },
    };
    await expectError(await call(down, "/images/v1/some-id"), 503, 1201);
    await expectError(await call(down, "/images/v2"), 503, 1201);
    await expectError(
      await call(down, "/images/v1", { method: "POST", body: form({ file: pngFile(), id: "x-1" }) }),
      503,
      1201,
    );
  });

  it("answers 400 with Images' own code when Images refuses an upload, 502 when the upload breaks", async () => {
    const refusing = (err: Error) => ({
      hosted: {
        image: (id: string) => hosted.image(id),
        upload: async (body: ReadableStream) => {
          await body.cancel();
          throw err;
        },
      },
    });
    const refused = await call(
      refusing(
        Object.assign(new Error("IMAGES_UPLOAD_ERROR 5455: Uploaded image must have image/jpeg…"), {
          code: 5455,
        }),
      ),
      "/images/v1",
      { method: "POST", body: form({ file: pngFile() }) },
    );
    await expectError(refused, 400, 1007);
    expect(refused.body.errors[0]!.message).toMatch(/code 5455/);
    const broken = await call(refusing(new Error("socket hang up")), "/images/v1", {
      method: "POST",
      body: form({ file: pngFile() }),
    });
    await expectError(broken, 502, 4004);
    expect(broken.body.errors[0]!.message).not.toContain("socket");
  });
});
