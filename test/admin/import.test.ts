import { env } from "cloudflare:workers";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, mapKey, READ_TOKEN, uploadImage } from "../helpers";

function importBody(path: string, body: string, contentType: string, token?: string) {
  return admin("POST", `/mappings/import${path}`, undefined, {
    raw: body,
    headers: { "content-type": contentType },
    token,
  });
}
const csv = (path: string, body: string) => importBody(path, body, "text/csv");

describe("bulk import: formats", () => {
  it("imports CSV with a header; the legacy URLs redirect at once", async () => {
    const s = await createSource({ kind: "cloudinary", options: { cloudName: "demo" } });
    const [a, b] = [await uploadImage(), await uploadImage()];
    const url = (id: string) =>
      cloudinary
        .url(id, { cloud_name: "demo", secure: true, version: 17, format: "jpg" })
        .replace("res.cloudinary.com", s.host);
    const res = await csv("", `url,imageId\n${url("shop/shoe, red")},${a}\n"${url("shop/boot")}",${b}\n`);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ created: 2, updated: 0, skipped: 0, errors: [] });
    const r = await gateway(url("shop/shoe, red").replace("/v17/", "/c_fill,w_80/v17/"));
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toBe(`${DELIVERY}/${a}/w=80,fit=cover`);
  });

  it("reports bad CSV lines by their line number and keeps the good ones", async () => {
    const s = await createSource({ kind: "imgix" });
    const img = await uploadImage();
    const body = [
      `https://${s.host}/ok-1.jpg,${img}`, // 1
      `https://${s.host}/with-a-newline.jpg,"${img}`, // 2: unterminated quote runs to the end
    ];
    const good = [
      `https://${s.host}/ok-1.jpg,${img}`, // 1
      "", // 2 blank
      `not a url,${img}`, // 3
      `https://${s.host}/only-one-column.jpg`, // 4
      `https://unknown-host.invalid/x.jpg,${img}`, // 5
      `"https://${s.host}/quoted,comma.jpg",${img}`, // 6
      `https://${s.host}/ok-2.jpg,`, // 7 empty image id
      `https://${s.host}/ok-1.jpg,${img}`, // 8 duplicate of line 1
      `https://${s.host}/a%00b.jpg,${img}`, // 9 invalid key (NUL)
      `https://${s.host}/ok-3.jpg,${img}`, // 10
    ].join("\n");
    const res = await csv("", good);
    expect(res.status).toBe(200);
    expect(res.body.result.created).toBe(3);
    expect(res.body.result.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 5, 7, 8, 9]);
    expect(res.body.result.errors[3].message).toMatch(/^imageId:/);
    expect(res.body.result.errors[4].message).toBe("duplicate of line 1: same source and key");
    const keys = (await admin("GET", `/mappings?source=${s.id}`)).body.result.map(
      (m: { key: string }) => m.key,
    );
    expect(keys.sort()).toEqual(["ok-1.jpg", "ok-3.jpg", "quoted,comma.jpg"]);

    const broken = await csv("", body.join("\n"));
    expect(broken.body.result.created).toBe(0);
    expect(broken.body.result.errors[0]).toMatchObject({ line: 1 });
    expect(broken.body.result.errors.at(-1)).toMatchObject({
      line: 2,
      message: expect.stringMatching(/malformed CSV/),
    });
  });

  it("counts lines from where a multi-line quoted record starts", async () => {
    const s = await createSource({ kind: "http" });
    const img = await uploadImage();
    const res = await csv("", `source,key,imageId\n${s.id},"two\nlines",${img}\n${s.id},../bad,${img}\n`);
    expect(res.body.result.created).toBe(0);
    expect(res.body.result.errors.map((e: { line: number }) => e.line)).toEqual([2, 4]);
    expect(res.body.result.errors[0].message).toMatch(/^key:/);
  });

  it("accepts a UTF-8 BOM and CRLF line ends (spreadsheet exports)", async () => {
    const s = await createSource({ kind: "http" });
    const img = await uploadImage();
    const res = await csv(
      "",
      `\uFEFFsource,key,imageId\r\n${s.id},a.png,${img}\r\n${s.id},../b.png,${img}\r\n`,
    );
    expect(res.body.result).toEqual({
      created: 1,
      updated: 0,
      skipped: 0,
      errors: [{ line: 3, message: expect.stringMatching(/^key:/) }],
    });
  });

  it("imports NDJSON, skipping blank lines and reporting bad JSON by line", async () => {
    const s = await createSource({ kind: "imgix" });
    const img = await uploadImage();
    const body = [
      JSON.stringify({ url: `https://${s.host}/n1.png`, imageId: img }),
      "",
      "{not json",
      JSON.stringify({ source: s.id, key: "n2.png", imageId: img }),
      JSON.stringify({ source: s.id, key: "n3.png" }),
      JSON.stringify({ source: s.id, key: "n4.png", imageId: img, extra: 1 }),
    ].join("\n");
    const res = await importBody("", body, "application/x-ndjson");
    expect(res.body.result).toMatchObject({ created: 2 });
    expect(res.body.result.errors).toEqual([
      { line: 3, message: "not valid JSON" },
      { line: 5, message: expect.stringMatching(/^imageId:/) },
      { line: 6, message: expect.stringMatching(/^row: .*extra/) },
    ]);
  });

  it("imports a JSON array; errors name the 1-based element", async () => {
    const s = await createSource({ kind: "imgix" });
    const img = await uploadImage();
    const res = await importBody(
      "",
      JSON.stringify([
        { url: `https://${s.host}/j1.png`, imageId: img },
        { url: `https://${s.host}/j2.png`, source: s.id, key: "j2.png", imageId: img },
        { source: "no-such-source", key: "x", imageId: img },
        "a string",
      ]),
      "application/json",
    );
    expect(res.body.result.created).toBe(1);
    expect(res.body.result.errors).toEqual([
      { line: 2, message: "url: give either url, or source and key" },
      { line: 3, message: "source: no source with id 'no-such-source'" },
      { line: 4, message: expect.stringMatching(/^row:/) },
    ]);
  });
});

describe("bulk import: modes", () => {
  it("insert reports already mapped assets, upsert replaces them, skip-existing skips them", async () => {
    const s = await createSource({ kind: "imgix" });
    const old = await mapKey(s.id, "m.jpg");
    const next = await uploadImage();
    const body = `source,key,imageId\n${s.id},m.jpg,${next}\n${s.id},fresh.jpg,${next}\n`;

    const insert = await csv("?mode=insert", body);
    expect(insert.body.result).toEqual({
      created: 1,
      updated: 0,
      skipped: 0,
      errors: [{ line: 2, message: expect.stringMatching(/already mapped/) }],
    });
    expect((await admin("GET", `/mappings/${old.id}`)).body.result.imageId).toBe(old.imageId);

    const skip = await csv("?mode=skip-existing", body);
    expect(skip.body.result).toEqual({ created: 0, updated: 0, skipped: 2, errors: [] });

    expect((await gateway(`https://${s.host}/m.jpg`)).headers.get("location")).toContain(`/${old.imageId}/`);
    const upsert = await csv("?mode=upsert", body);
    expect(upsert.body.result).toEqual({ created: 0, updated: 2, skipped: 0, errors: [] });
    expect((await admin("GET", `/mappings/${old.id}`)).body.result).toMatchObject({
      imageId: next,
      state: "ready",
    });
    expect((await gateway(`https://${s.host}/m.jpg`)).headers.get("location")).toContain(`/${next}/`);
  });

  it("takes over rows left by a failed ingest in insert mode", async () => {
    const s = await createSource({ kind: "imgix" });
    const iso = new Date().toISOString();
    await env.DB.prepare(
      "INSERT INTO mappings (source, key, state, attempts, last_error, retry_at, created_at, updated_at) VALUES (?, 'f.jpg', 'failed', 3, 'origin answered 500', ?, ?, ?)",
    )
      .bind(s.id, Date.now() + 60_000, iso, iso)
      .run();
    const img = await uploadImage();
    const res = await csv("", `source,key,imageId\n${s.id},f.jpg,${img}`);
    expect(res.body.result).toMatchObject({ created: 0, updated: 1, errors: [] });
    const m = (await admin("GET", `/mappings?source=${s.id}`)).body.result[0];
    expect(m).toMatchObject({ state: "ready", imageId: img, lastError: null, retryAt: null });
  });

  it("trusts image ids unless verify=true", async () => {
    const s = await createSource({ kind: "imgix" });
    const img = await uploadImage();
    const body = `source,key,imageId\n${s.id},v1.jpg,${img}\n${s.id},v2.jpg,no-such-image\n`;
    const verified = await csv("?verify=true", body);
    expect(verified.body.result).toMatchObject({
      created: 1,
      errors: [{ line: 3, message: "imageId: no image with id 'no-such-image'" }],
    });
    const trusted = await csv("?mode=skip-existing", body);
    expect(trusted.body.result).toMatchObject({ created: 1, skipped: 1, errors: [] });
  });
});

describe("bulk import: limits and errors", () => {
  it("imports 100 000 rows in one request", async () => {
    const s = await createSource({ kind: "http" });
    const img = await uploadImage();
    const lines = ["source,key,imageId"];
    for (let i = 0; i < 100_000; i++) lines.push(`${s.id},bulk/${i}.jpg,${img}`);
    const res = await csv("", lines.join("\n"));
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ created: 100_000, updated: 0, skipped: 0, errors: [] });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM mappings WHERE source = ?")
      .bind(s.id)
      .first("n");
    expect(count).toBe(100_000);
    const stats = (await admin("GET", "/stats")).body.result.sources.find(
      (x: { source: string }) => x.source === s.id,
    );
    expect(stats.mappings).toMatchObject({ ready: 100_000, total: 100_000 });
  }, 60_000);

  it("refuses more than 100 000 rows with 413 and writes nothing", async () => {
    const s = await createSource({ kind: "http" });
    const rows = Array.from({ length: 100_001 }, (_, i) =>
      JSON.stringify({ source: s.id, key: `k${i}`, imageId: "x" }),
    );
    const res = await importBody("", rows.join("\n"), "application/x-ndjson");
    expect(res.status).toBe(413);
    expect((await admin("GET", `/mappings?source=${s.id}`)).body.result).toHaveLength(0);
  }, 60_000);

  it("answers 415 to other content types, 422 to a bad mode, 400 to broken JSON, 403 to the read token", async () => {
    expect((await importBody("", "x", "text/plain")).status).toBe(415);
    expect((await csv("?mode=replace", "")).status).toBe(422);
    expect((await importBody("", "[{", "application/json")).status).toBe(400);
    expect((await importBody("", "{}", "application/json")).status).toBe(422);
    expect((await importBody("", "", "text/csv", READ_TOKEN)).status).toBe(403);
  });
});
