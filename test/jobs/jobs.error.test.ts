import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, admin, createSource, READ_TOKEN, fetchWith } from "../helpers";

import { serveOrigin } from "../origin";
import { capturingQueue, createJob, createJobFromText, postJobWith, settled } from "./helpers";

/** Requests refused whole: the status, the field or line named, and nothing stored or enqueued. */
async function refused(body: unknown, opts: { contentType?: string; query?: string; raw?: string } = {}) {
  const capture = capturingQueue();
  const before = (await admin("GET", "/jobs?limit=1")).body.result[0]?.id ?? 0;
  const { res } = await fetchWith(
    `http://gateway.test/_admin/jobs${opts.query ?? ""}`,
    { JOBS: capture.queue },
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": opts.contentType ?? "application/json",
      },
      body: opts.raw ?? JSON.stringify(body),
    },
  );
  const json = (await res.json()) as { success: boolean; errors: { code: number; message: string }[] };
  expect(json.success).toBe(false);
  expect(capture.sent).toHaveLength(0);
  expect((await admin("GET", "/jobs?limit=1")).body.result[0]?.id ?? 0).toBe(before);
  return { status: res.status, error: json.errors[0]! };
}

describe("POST /_admin/jobs: refused whole", () => {
  it("an unknown or missing type is a 422 naming the field", async () => {
    expect(await refused({ type: "migrate", urls: ["https://x.test/a.png"] })).toMatchObject({
      status: 422,
      error: { code: 1004, message: expect.stringMatching(/^type: /) },
    });
    expect((await refused({ urls: ["https://x.test/a.png"] })).error.message).toMatch(/^type: /);
    expect(
      (await refused(null, { contentType: "text/plain", raw: "https://x.test/a.png" })).error.message,
    ).toMatch(/^type: /);
  });

  it("an empty, missing or ambiguous item list is a 422 naming the field", async () => {
    expect((await refused({ type: "backfill", urls: [] })).error.message).toBe(
      "urls: give at least one item",
    );
    expect((await refused({ type: "backfill" })).error.message).toBe(
      "urls: give either urls, or source and keys",
    );
    expect((await refused({ type: "backfill", keys: ["a"] })).error.message).toBe(
      "source: is required with keys",
    );
    expect((await refused({ type: "backfill", urls: "https://x.test/a.png" })).error.message).toMatch(
      /^urls: /,
    );
    expect(
      (await refused(null, { contentType: "text/plain", query: "?type=backfill", raw: "\n\n  \n" })).error
        .message,
    ).toBe("urls: give at least one item");
  });

  it("an unknown or disabled source is a 422 naming it", async () => {
    expect(
      (await refused({ type: "backfill", source: "no-such-source", keys: ["a.png"] })).error.message,
    ).toBe("source: no source with id 'no-such-source'");
    const off = await createSource({ kind: "imgix", origin: "https://off.origin.test", enabled: false });
    expect((await refused({ type: "backfill", source: off.id, keys: ["a.png"] })).error.message).toBe(
      `source: source '${off.id}' is disabled`,
    );
    expect(
      (await refused(null, { contentType: "text/plain", query: "?type=backfill&source=nope", raw: "a.png" }))
        .error.message,
    ).toBe("source: no source with id 'nope'");
  });

  it("more than 100 000 items is a 413", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://big.origin.test" });
    const keys = Array.from({ length: 100_001 }, (_, i) => `k${i}.png`);
    expect(await refused({ type: "backfill", source: s.id, keys })).toMatchObject({
      status: 413,
      error: { code: 1005 },
    });
    expect(
      await refused(null, {
        contentType: "text/plain",
        query: `?type=backfill&source=${s.id}`,
        raw: keys.join("\n"),
      }),
    ).toMatchObject({ status: 413 });
  });

  it("a list where no line is usable is a 422 naming the first bad line", async () => {
    const res = await refused(null, {
      contentType: "text/plain",
      query: "?type=backfill",
      raw: "\nnot a url\nhttps://no-source-here.test/a.png\n",
    });
    expect(res).toMatchObject({
      status: 422,
      error: { code: 1004, message: "no usable item: line 2: url: is not an absolute URL (and 1 more)" },
    });
  });

  it("bad JSON, an unknown content type, bad prefixes and query parameters", async () => {
    expect(await refused(null, { raw: "{nope" })).toMatchObject({ status: 400, error: { code: 1003 } });
    expect(await refused(null, { contentType: "application/xml", raw: "<a/>" })).toMatchObject({
      status: 415,
      error: { code: 1006 },
    });
    expect((await refused({ type: "export", prefix: "/abs" })).error.message).toBe(
      "prefix: must not be empty or start with '/'",
    );
    expect((await refused({ type: "export", prefix: "a/../b" })).error.message).toMatch(/^prefix: /);
    expect((await refused({ type: "restore" })).error.message).toMatch(/^prefix: /);
    expect(
      (
        await refused(null, {
          contentType: "text/plain",
          query: "?type=backfill&bogus=1",
          raw: "https://x.test/a",
        })
      ).error.message,
    ).toMatch(/bogus/);
  });

  it("export and restore without an EXPORTS bucket: 503 that says so", async () => {
    for (const body of [{ type: "export" }, { type: "restore", prefix: "x/" }]) {
      const res = await postJobWith({ EXPORTS: undefined }, body);
      expect(res.status).toBe(503);
      const json = (await res.json()) as { errors: { code: number; message: string }[] };
      expect(json.errors[0]!.code).toBe(5003);
      expect(json.errors[0]!.message).toContain("EXPORTS");
    }
  });

  it("restore from a prefix without a manifest: 422", async () => {
    expect(await refused({ type: "restore", prefix: "never/exported/" })).toMatchObject({
      status: 422,
      error: { code: 5004, message: "No manifest.json under 'never/exported/': not a finished export" },
    });
  });
});

describe("job routes: errors", () => {
  it("unknown jobs are 404; a settled job cannot be cancelled (409); cursors and filters are checked", async () => {
    expect((await admin("GET", "/jobs/999999")).body.errors[0]).toMatchObject({ code: 5000 });
    expect((await admin("GET", "/jobs/abc")).status).toBe(404);
    expect((await admin("GET", "/jobs/999999/items")).status).toBe(404);
    expect((await admin("POST", "/jobs/999999/cancel")).status).toBe(404);
    expect((await admin("GET", "/jobs?cursor=bogus")).body.errors[0]!.message).toBe(
      "cursor: is not a cursor this API returned",
    );
    expect((await admin("GET", "/jobs?state=sleeping")).status).toBe(422);
    expect((await admin("GET", "/jobs?limit=1001")).status).toBe(422);
    expect((await admin("DELETE", "/jobs")).status).toBe(405);

    serveOrigin("settled.origin.test", () => new Response("no", { status: 404 }));
    const s = await createSource({ kind: "imgix", origin: "https://settled.origin.test" });
    const job = await settled((await createJob({ type: "backfill", source: s.id, keys: ["x.png"] })).id);
    expect(job).toMatchObject({ state: "done", failed: 1 });
    expect((await admin("GET", `/jobs/${job.id}/items?state=done`)).status).toBe(422);
    const res = await admin("POST", `/jobs/${job.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ code: 5001, message: expect.stringContaining("done") });
  }, 30_000);

  it("the read-only token reads jobs but cannot create or cancel them", async () => {
    expect((await admin("GET", "/jobs", undefined, { token: READ_TOKEN })).status).toBe(200);
    expect((await admin("POST", "/jobs", { type: "export" }, { token: READ_TOKEN })).status).toBe(403);
    expect((await admin("POST", "/jobs/1/cancel", undefined, { token: READ_TOKEN })).status).toBe(403);
    expect((await admin("GET", "/jobs", undefined, { token: null })).status).toBe(401);
  });

  it("text bodies name the list's type in the query", async () => {
    const res = await createJobFromText("type=export", "text/plain", "https://x.test/a.png");
    expect(res.status).toBe(422);
  });
});
