import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, cli, gatewayUrl, imageOrigin, serve, tmpDir, uniqueId } from "./helpers.ts";

/**
 * list → backfill, as in the README's walkthrough, against local servers that answer the vendors'
 * own SDKs (the cloudinary Admin API, S3 ListObjectsV2) and a local legacy origin.
 */
describe("list cloudinary → backfill", () => {
  const dir = tmpDir();
  let origin: Awaited<ReturnType<typeof imageOrigin>>;
  let admin: Awaited<ReturnType<typeof serve>>;
  const requests: URL[] = [];
  const auth: string[] = [];
  const resources = [
    "products/shoe",
    "products/boot",
    "banners/spring sale",
    "products/missing-one",
    "logo",
  ].map((id, n) => ({
    public_id: id,
    format: n === 4 ? "svg" : "png",
    version: 1700000000 + n,
    resource_type: "image",
    type: "upload",
    secure_url: `https://res.cloudinary.com/demo/image/upload/v${1700000000 + n}/${encodeURI(id)}.${n === 4 ? "svg" : "png"}`,
  }));

  beforeAll(async () => {
    origin = await imageOrigin();
    // The Admin API's `resources`, two per page, with next_cursor.
    admin = await serve((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push(url);
      auth.push(String(req.headers.authorization));
      if (url.pathname !== "/v1_1/demo/resources/image/upload") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
        return;
      }
      const start = Number(url.searchParams.get("next_cursor") ?? 0);
      const size = Number(url.searchParams.get("max_results"));
      const page = resources.slice(start, start + size);
      const next = start + size < resources.length ? String(start + size) : undefined;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ resources: page, next_cursor: next }));
    });
  });
  afterAll(async () => {
    await origin.close();
    await admin.close();
  });

  it("lists every image page by page, then backfills them: one fetch each, failed items by file line", async () => {
    const prefix = uniqueId("cld");
    expect(
      (
        await api("POST", "/sources", {
          id: prefix,
          kind: "cloudinary",
          pathPrefix: `/${prefix}`,
          origin: `${origin.url}/demo`,
          options: { cloudName: "demo" },
        })
      ).status,
    ).toBe(201);
    const env = { CLOUDINARY_URL: `cloudinary://key123:secret456@demo?upload_prefix=${admin.url}` };
    const listed = await cli(
      ["list", "cloudinary", "--page-size", "2", "--base-url", `${gatewayUrl()}/${prefix}`],
      { env },
    );
    expect(listed.code).toBe(0);
    const urls = listed.stdout.trim().split("\n");
    expect(urls).toEqual(
      resources.map((r) => r.secure_url.replace("https://res.cloudinary.com", `${gatewayUrl()}/${prefix}`)),
    );
    expect(listed.stderr).toContain("listed 5 images");
    expect(requests.map((u) => u.searchParams.get("next_cursor"))).toEqual([null, "2", "4"]);
    expect(requests.every((u) => u.searchParams.get("max_results") === "2")).toBe(true);
    expect(auth[0]).toBe(`Basic ${Buffer.from("key123:secret456").toString("base64")}`);

    const file = path.join(dir, "urls.txt");
    writeFileSync(file, listed.stdout);
    const run = await cli(["backfill", file, "--interval", "200"]);
    expect(run.code).toBe(1); // one original is missing at the origin
    expect(run.stdout).toMatch(
      /Job \d+ \(backfill\) done in \d+s: 5 items — 4 succeeded, 0 skipped, 1 failed/,
    );
    expect(run.stdout).toContain(`line 4  origin_404  origin answered 404  ${urls[3]}`);
    expect(readFileSync(`${file}.errors.csv`, "utf8")).toBe(
      `line,reason,error,input\n4,origin_404,origin answered 404,${urls[3]}\n`,
    );
    expect(run.stderr).toMatch(/backfill .*urls\.txt \[.*\] 100% \| 5\/5 items/);
    expect(origin.total()).toBe(5);
    expect(origin.hits.get("/demo/image/upload/banners/spring%20sale.png")).toBe(1);

    // Migrated: the legacy URLs redirect to Images now, and a second backfill skips them all.
    const res = await fetch(urls[0]!, { redirect: "manual" });
    expect(res.status).toBe(301);
    const again = await cli(["--json", "backfill", file]);
    const result = JSON.parse(again.stdout);
    expect(result.jobs[0]).toMatchObject({ state: "done", total: 5, skipped: 4, failed: 1 });
    expect(origin.total()).toBe(6); // only the missing one was asked for again
  });

  it("reads the list from stdin (`-`), and keys of a source with --source", async () => {
    const prefix = uniqueId("cldk");
    await api("POST", "/sources", {
      id: prefix,
      kind: "cloudinary",
      pathPrefix: `/${prefix}`,
      origin: `${origin.url}/demo`,
      options: { cloudName: "demo" },
    });
    const run = await cli(["--json", "backfill", "-", "--source", prefix], {
      stdin: "stdin/one\nstdin/two\n",
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).jobs[0]).toMatchObject({ state: "done", succeeded: 2 });
    expect(origin.hits.get("/demo/image/upload/stdin/one")).toBe(1);
  });
});

describe("list s3", () => {
  it("pages through ListObjectsV2 with continuation tokens on a custom endpoint, printing legacy URLs", async () => {
    const keys = ["a.png", "dir/b c.png", "dir/", "plus+sign.png", "ü/d.png"];
    const seen: URL[] = [];
    const s3 = await serve((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push(url);
      const start = Number(url.searchParams.get("continuation-token") ?? 0);
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>photos</Name><Prefix></Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${more}</IsTruncated>${
        more ? `<NextContinuationToken>${start + 2}</NextContinuationToken>` : ""
      }${page
        .map(
          (k) =>
            `<Contents><Key>${k}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join("")}</ListBucketResult>`;
      res.writeHead(200, { "content-type": "application/xml" }).end(xml);
    });
    const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "eu-west-1" };
    const run = await cli(["list", "s3", "--bucket", "photos", "--endpoint", s3.url], { env });
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      `${s3.url}/photos/a.png`,
      `${s3.url}/photos/dir/b%20c.png`,
      `${s3.url}/photos/plus%2Bsign.png`,
      `${s3.url}/photos/%C3%BC/d.png`,
    ]);
    expect(
      seen.map((u) => [
        u.pathname,
        u.searchParams.get("list-type"),
        u.searchParams.get("continuation-token"),
      ]),
    ).toEqual([
      ["/photos/", "2", null],
      ["/photos/", "2", "2"],
      ["/photos/", "2", "4"],
    ]);
    const rebased = await cli(
      [
        "--json",
        "list",
        "s3",
        "--bucket",
        "photos",
        "--endpoint",
        s3.url,
        "--base-url",
        "https://img.example.com/s3",
      ],
      { env },
    );
    expect(rebased.stdout.trim().split("\n")[1]).toBe(
      JSON.stringify({ url: "https://img.example.com/s3/dir/b%20c.png" }),
    );
    await s3.close();
  });
});
