import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, cli, gatewayUrl, serve, tmpDir, token, uniqueId } from "./helpers.ts";

describe("legacy-image-gateway import", () => {
  let source: string;
  let base: string;
  const dir = tmpDir();
  const images: string[] = [];

  beforeAll(async () => {
    source = uniqueId("imp");
    // Legacy URLs on the gateway itself, below the source's own path prefix.
    base = `${gatewayUrl()}/${source}`;
    expect(
      (await api("POST", "/sources", { id: source, kind: "imgix", pathPrefix: `/${source}` })).status,
    ).toBe(201);
    // Real images to map to (the import trusts ids unless --verify, but the redirects should work).
    for (let i = 0; i < 3; i++) {
      const form = new FormData();
      form.set("file", new Blob([Buffer.from(`GIF89a-${i}`)], { type: "image/gif" }), `g${i}.gif`);
      const res = await fetch(`${gatewayUrl()}/_admin/images/v1`, {
        method: "POST",
        headers: { authorization: `Bearer ${token()}` },
        body: form,
      });
      images.push(((await res.json()) as { result: { id: string } }).result.id);
    }
  });

  it("imports in several requests, maps rejected rows back to their file lines, writes <file>.errors.csv, exits 1", async () => {
    const file = path.join(dir, "mappings.csv");
    writeFileSync(
      file,
      [
        "url,imageId",
        `${base}/a.jpg,${images[0]}`,
        `${base}/b.jpg,${images[1]}`,
        "",
        `https://nobody.example.com/c.jpg,${images[2]}`,
        `"${base}/with,comma.jpg",${images[2]}`,
        `${base}/d.jpg`,
        `${base}/e.jpg,${images[0]}`,
      ].join("\n"),
    );
    const run = await cli(["import", file, "--batch", "2"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Imported");
    expect(run.stdout).toMatch(/created 4 · updated 0 · skipped 0 · rejected 2/);
    const errors = readFileSync(`${file}.errors.csv`, "utf8").trim().split("\n");
    expect(errors[0]).toBe("line,message,row");
    expect(errors.slice(1)).toEqual([
      `5,url: No source serves this URL,"https://nobody.example.com/c.jpg,${images[2]}"`,
      `7,"expected 2 columns (url,imageId), found 1",${base}/d.jpg`,
    ]);
    const mapped = await api("GET", `/mappings?source=${source}`);
    expect(mapped.result.map((m: { key: string }) => m.key).sort()).toEqual([
      "a.jpg",
      "b.jpg",
      "e.jpg",
      "with,comma.jpg",
    ]);
    const res = await fetch(`${base}/a.jpg?w=10`, { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`https://imagedelivery.net/cli-test/${images[0]}/w=10`);
  });

  it("--from-line resumes at a physical line (1-based, inclusive) and --json prints the summary", async () => {
    const file = path.join(dir, "resume.ndjson");
    const lines = ["f", "g", "h", "i"].map((k, n) =>
      JSON.stringify({ source, key: `resume/${k}.jpg`, imageId: images[n % 3] }),
    );
    writeFileSync(file, lines.join("\n") + "\n");
    const run = await cli(["--json", "import", file, "--from-line", "3", "--mode", "upsert"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 2, created: 2, failed: 0, errorsFile: null });
    const mapped = await api("GET", `/mappings?source=${source}&prefix=resume/`);
    expect(mapped.result.map((m: { key: string }) => m.key)).toEqual(["resume/h.jpg", "resume/i.jpg"]);
  });

  it("retries 429 and 5xx answers with backoff, then succeeds", async () => {
    let refusals = 0;
    const flaky = await serve(async (req, res) => {
      if (refusals < 3) {
        refusals++;
        res.writeHead(refusals === 1 ? 429 : 503, { "retry-after": "0" }).end("busy");
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${gatewayUrl()}${req.url}`, {
        method: req.method,
        headers: {
          authorization: String(req.headers.authorization),
          "content-type": String(req.headers["content-type"]),
        },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    });
    const file = path.join(dir, "retry.json");
    writeFileSync(file, JSON.stringify([{ source, key: "retry/x.jpg", imageId: images[0] }]));
    const run = await cli(["--url", flaky.url, "import", file]);
    await flaky.close();
    expect(run.stderr).toContain("retry 1");
    expect(run.stderr).toContain("retry 3");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("created 1");
  });

  it("stops on an unreachable gateway after its retries, says where to resume, exits non-zero", async () => {
    const file = path.join(dir, "down.csv");
    writeFileSync(file, `${base}/z.jpg,${images[0]}\n`);
    const run = await cli(["--url", "http://127.0.0.1:9", "--retries", "2", "import", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("resume with: --from-line 1");
    expect(run.stderr.match(/retry \d/g)).toHaveLength(2);
  });

  afterAll(() => undefined);
});
