import { describe, expect, it } from "vitest";
import { admin, createSource, expectError, gateway, mapKey, uniqueId } from "../helpers";

describe("sources: happy path", () => {
  it("creates a source with defaults and reads it back", async () => {
    const id = uniqueId("cld");
    const res = await admin("POST", "/sources", {
      id,
      kind: "cloudinary",
      host: "Res.Cloudinary.COM",
      origin: "https://res.cloudinary.com/demo/",
      options: { cloudName: "demo" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, errors: [], messages: [] });
    const s = res.body.result;
    expect(s).toMatchObject({
      id,
      kind: "cloudinary",
      host: "res.cloudinary.com",
      pathPrefix: "/",
      origin: "https://res.cloudinary.com/demo",
      onMiss: "ingest",
      redirectStatus: 301,
      defaultVariant: "public",
      requireSignedURLs: false,
      options: { cloudName: "demo" },
      enabled: true,
    });
    expect(Date.parse(s.createdAt)).not.toBeNaN();
    const got = await admin("GET", `/sources/${id}`);
    expect(got.body.result).toEqual(s);
    const list = await admin("GET", "/sources");
    expect(list.body.result.map((x: { id: string }) => x.id)).toContain(id);
    expect(list.body.result_info).toMatchObject({ cursor: null });
  });

  it("defaults onMiss to not-found without an origin and normalises the prefix", async () => {
    const s = await createSource({ kind: "http", pathPrefix: "/legacy/img/" });
    expect(s.onMiss).toBe("not-found");
    expect(s.pathPrefix).toBe("/legacy/img");
  });

  it("patches a source: the merge is validated as a whole and takes effect at once", async () => {
    const s = await createSource({ kind: "imgix", pathPrefix: "/p1", origin: "https://a.imgix.net" });
    await mapKey(s.id, "cat.jpg");
    expect((await gateway(`http://${s.host}/p1/cat.jpg`)).status).toBe(301);
    const res = await admin("PATCH", `/sources/${s.id}`, { redirectStatus: 308, pathPrefix: "/p2" });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ redirectStatus: 308, pathPrefix: "/p2", createdAt: s.createdAt });
    expect(res.body.result.updatedAt >= s.updatedAt).toBe(true);
    expect((await gateway(`http://${s.host}/p2/cat.jpg`)).status).toBe(308);
    expect((await gateway(`http://${s.host}/p1/cat.jpg`)).status).toBe(404);
  });

  it("disabling a source stops it from matching", async () => {
    const s = await createSource({ kind: "imgix", pathPrefix: "/disable-me" });
    await mapKey(s.id, "a.png");
    expect((await gateway(`http://${s.host}/disable-me/a.png`)).status).toBe(301);
    await admin("PATCH", `/sources/${s.id}`, { enabled: false });
    await expectError(await gateway(`http://${s.host}/disable-me/a.png`), 404, 2000);
  });
});

describe("sources: errors", () => {
  it("answers 409 to a duplicate id and leaves the first source untouched", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://one.imgix.net", pathPrefix: "/dup" });
    const res = await admin("POST", "/sources", { id: s.id, kind: "s3" });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]!.code).toBe(3001);
    expect((await admin("GET", `/sources/${s.id}`)).body.result.kind).toBe("imgix");
  });

  it.each([
    [{ id: "Bad_Id", kind: "imgix" }, "id"],
    [{ id: "ok-id", kind: "ftp" }, "kind"],
    [{ id: "ok-id", kind: "imgix", host: "https://x.com" }, "host"],
    [{ id: "ok-id", kind: "imgix", host: "x.com:8080" }, "host"],
    [{ id: "ok-id", kind: "imgix", pathPrefix: "no-slash" }, "pathPrefix"],
    [{ id: "ok-id", kind: "imgix", pathPrefix: "/a/../b" }, "pathPrefix"],
    [{ id: "ok-id", kind: "imgix", origin: "ftp://x.com" }, "origin"],
    [{ id: "ok-id", kind: "imgix", origin: "https://x.com/?q=1" }, "origin"],
    [{ id: "ok-id", kind: "imgix", onMiss: "ingest" }, "onMiss"],
    [{ id: "ok-id", kind: "imgix", redirectStatus: 303 }, "redirectStatus"],
    [{ id: "ok-id", kind: "imgix", defaultVariant: "a b" }, "defaultVariant"],
    [{ id: "ok-id", kind: "s3", options: { bucket: "Not_A_Bucket" } }, "options.bucket"],
    [{ id: "ok-id", kind: "imgix", options: { cloudName: "demo" } }, "options"],
    [
      { id: "ok-id", kind: "cloudinary", options: { namedTransformations: { t_x: "bad variant!" } } },
      "options.namedTransformations",
    ],
    [{ id: "ok-id", kind: "imgix", surprise: true }, "body"],
  ])("answers 422 naming the field for %j", async (body, field) => {
    await expectError(await admin("POST", "/sources", body), 422, 1004, field);
  });

  it("answers 400 to malformed JSON and 415 to a non-JSON content type", async () => {
    const bad = await admin("POST", "/sources", undefined, {
      raw: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.code).toBe(1003);
    const form = await admin("POST", "/sources", undefined, {
      raw: "id=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });

  it("answers 413 to a body over 1 MiB", async () => {
    const res = await admin("POST", "/sources", { id: "big", kind: "imgix", pad: "x".repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.errors[0]!.code).toBe(1005);
  });

  it("refuses a patch that would leave an invalid source, and keeps the stored one", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://x.imgix.net" });
    const res = await admin("PATCH", `/sources/${s.id}`, { origin: null });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]!.message).toMatch(/^onMiss:/);
    expect((await admin("GET", `/sources/${s.id}`)).body.result.origin).toBe("https://x.imgix.net");
  });

  it("refuses to change the kind of a source that has mappings", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "k.png");
    const res = await admin("PATCH", `/sources/${s.id}`, { kind: "http" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]!.message).toMatch(/^kind:/);
  });

  it("answers 404 for an unknown source on GET, PATCH and DELETE", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await admin(
        method,
        "/sources/does-not-exist",
        method === "PATCH" ? { enabled: false } : undefined,
      );
      expect(res.status).toBe(404);
      expect(res.body.errors[0]!.code).toBe(3000);
    }
  });
});

describe("sources: delete", () => {
  it("refuses to delete a source with mappings unless cascading", async () => {
    const s = await createSource({ kind: "imgix", pathPrefix: "/del-cascade" });
    const m = await mapKey(s.id, "a.jpg");
    const refused = await admin("DELETE", `/sources/${s.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]!.code).toBe(3002);
    expect((await admin("GET", `/mappings/${m.id}`)).status).toBe(200);

    const res = await admin("DELETE", `/sources/${s.id}?cascade=true`);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ id: s.id, mappingsDeleted: 1 });
    expect((await admin("GET", `/mappings/${m.id}`)).status).toBe(404);
    expect((await gateway(`http://${s.host}/del-cascade/a.jpg`)).status).toBe(404);
  });

  it("deletes a source without mappings", async () => {
    const s = await createSource({ kind: "http" });
    expect((await admin("DELETE", `/sources/${s.id}`)).status).toBe(200);
    expect((await admin("GET", `/sources/${s.id}`)).status).toBe(404);
  });
});
