import { describe, expect, it } from "vitest";
import { admin, expectError, uniqueId } from "../helpers";

/** The options added for issues 8 and 9: S3 bucket rules, path style, Cloudinary root path, CORS. */

describe("sources: kind options", () => {
  it.each([
    [{ kind: "s3", options: { bucket: "legacy-images", pathStyle: true } }],
    [{ kind: "s3", origin: "https://legacy-images.s3.amazonaws.com", options: { bucket: "legacy-images" } }],
    [{ kind: "cloudinary", options: { cloudName: "demo", rootPath: true } }],
    [{ kind: "imgix", options: { cors: "*" } }],
    [{ kind: "imgix", options: { cors: false } }],
    [{ kind: "http", options: { cors: ["https://www.example.com", "http://localhost:3000"] } }],
  ])("accepts %j", async (fields) => {
    const res = await admin("POST", "/sources", { id: uniqueId("opt"), ...fields });
    expect(res.status).toBe(201);
    expect(res.body.result.options).toEqual(fields.options);
  });

  it.each([
    // One origin object, one key: an S3 source that fetches originals must name its bucket.
    [{ kind: "s3", origin: "https://bucket.origin.test" }, "options.bucket"],
    [{ kind: "s3", origin: "https://bucket.origin.test", options: { pathStyle: true } }, "options.bucket"],
    [{ kind: "s3", options: { pathStyle: "yes" } }, "options.pathStyle"],
    [{ kind: "cloudinary", options: { rootPath: 1 } }, "options.rootPath"],
    [{ kind: "imgix", options: { cors: true } }, "options.cors"],
    [{ kind: "imgix", options: { cors: [] } }, "options.cors"],
    [{ kind: "imgix", options: { cors: ["https://www.example.com/path"] } }, "options.cors"],
    [{ kind: "imgix", options: { cors: ["*.example.com"] } }, "options.cors"],
  ])("answers 422 naming the field for %j", async (fields, field) => {
    await expectError(await admin("POST", "/sources", { id: uniqueId("opt"), ...fields }), 422, 1004, field);
  });

  it("a PATCH that gives an S3 source an origin without a bucket is refused", async () => {
    const id = uniqueId("s3");
    expect((await admin("POST", "/sources", { id, kind: "s3" })).status).toBe(201);
    await expectError(
      await admin("PATCH", `/sources/${id}`, { origin: "https://bucket.origin.test" }),
      422,
      1004,
      "options.bucket",
    );
  });
});
