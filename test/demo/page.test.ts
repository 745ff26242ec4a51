import { describe, expect, it } from "vitest";
import { PREMAPPED_PATHS } from "../../scripts/demo-premap.mjs";
import { admin, expectError, fetchWith } from "../helpers";

/** The demo sources `npm start` seeds (seed/demo.sql), created here through the admin API. */
async function seedDemoSources() {
  for (const [id, kind, pathPrefix, options] of [
    ["demo-cloudinary", "cloudinary", "/cloudinary", { cloudName: "demo" }],
    ["demo-imgix", "imgix", "/imgix", {}],
    ["demo-s3", "s3", "/s3", { bucket: "demo-bucket", pathStyle: true }],
  ] as const) {
    const res = await admin("POST", "/sources", {
      id,
      kind,
      pathPrefix,
      options,
      origin: "http://127.0.0.1:8787/_demo/origin",
      redirectStatus: 302,
    });
    expect([201, 409]).toContain(res.status);
  }
}

interface Resolution {
  source: string | null;
  key: string | null;
  action: string;
  options: Record<string, unknown>;
}

/** Every `<img src>` of a page, resolved against the gateway. */
const imageUrls = (html: string) =>
  [...html.matchAll(/<img\s[^>]*src="([^"]+)"/g)].map((m) =>
    new URL(m[1]!.replaceAll("&amp;", "&"), "http://gateway.test/").toString(),
  );

describe("GET / — the demo page (DEMO_ORIGIN=true, as npm start runs)", () => {
  it("shows legacy URLs of the three demo sources and links to the dashboard", async () => {
    await seedDemoSources();
    const { res, settled } = await fetchWith("http://gateway.test/", { DEMO_ORIGIN: "true" });
    await settled;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const html = await res.text();
    expect(html).toContain('href="/_admin/ui"');
    expect(html).not.toMatch(/<script|\sstyle=/);

    const urls = imageUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(6);
    const resolved = await Promise.all(
      urls.map(async (url) => (await admin<Resolution>("POST", "/resolve", { url })).body.result),
    );
    // Every image is a legacy URL of a demo source that parses; all three sources appear.
    expect(new Set(resolved.map((r) => r.source))).toEqual(
      new Set(["demo-cloudinary", "demo-imgix", "demo-s3"]),
    );
    for (const r of resolved) expect(["redirect", "ingest"]).toContain(r.action);
    // Several carry a transformation.
    expect(resolved.filter((r) => Object.keys(r.options).length > 0).length).toBeGreaterThanOrEqual(4);
    // The assets npm start pre-maps are on the page; the others are left to the browser's first request.
    const onPage = urls.map((u) => u.slice("http://gateway.test".length));
    expect(onPage).toEqual(expect.arrayContaining([...PREMAPPED_PATHS]));
    expect(onPage.length - PREMAPPED_PATHS.length).toBeGreaterThanOrEqual(3);
  });

  it("viewing the page writes nothing: it maps no asset (npm start pre-maps through the admin API)", async () => {
    await seedDemoSources();
    for (let i = 0; i < 2; i++) {
      const { res, settled } = await fetchWith("http://gateway.test/", { DEMO_ORIGIN: "true" });
      expect(res.status).toBe(200);
      await settled;
    }
    const mappings = await admin<{ source: string }[]>("GET", "/mappings?limit=1000");
    expect(mappings.body.result.filter((m) => m.source.startsWith("demo-"))).toEqual([]);
  });

  it("serves its stylesheet in demo mode", async () => {
    const { res } = await fetchWith("http://gateway.test/_demo/demo.css", { DEMO_ORIGIN: "true" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("does not exist in production: / is then a legacy path like any other", async () => {
    for (const path of ["/", "/_demo/demo.css"]) {
      const { res } = await fetchWith(`http://gateway.test${path}`, { DEMO_ORIGIN: "false" });
      await expectError(res, 404, 2000);
    }
  });

  it("in production, / belongs to whichever source serves it (here an http source: no key at /)", async () => {
    // A source at "/" on its own host, with the root path mapped.
    const host = `root-${Date.now().toString(36)}.test`;
    const created = await admin("POST", "/sources", {
      id: `root-${Date.now().toString(36)}`,
      kind: "http",
      host,
    });
    expect(created.status).toBe(201);
    const { res } = await fetchWith(`http://${host}/`, { DEMO_ORIGIN: "false" });
    // "/" has no key under an http source: the parser's 404, not the demo page.
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/json/);
  });
});
