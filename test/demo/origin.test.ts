import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";

/** The Worker with DEMO_ORIGIN set as `npm start` sets it (or left off, as in production). */
async function get(path: string, demoOrigin: string) {
  const ctx = createExecutionContext();
  const request = new Request(`http://gateway.test${path}`) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch(request, { ...env, DEMO_ORIGIN: demoOrigin }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("demo origin (npm start)", () => {
  it("serves the sample PNG from the static assets, for any name", async () => {
    const res = await get("/_demo/origin/image/upload/samples/landscape.png", "true");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.byteLength).toBeGreaterThan(1000);
  });

  it("draws an SVG with the requested name in it, escaped", async () => {
    const res = await get("/_demo/origin/photos/%3Ccat%3E.svg", "true");
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    const text = await res.text();
    expect(text).toMatch(/^<svg /);
    expect(text).toContain("photos/cat.svg");
  });

  it("answers 404 for a name containing 'missing', like a deleted original", async () => {
    expect((await get("/_demo/origin/missing/a.png", "true")).status).toBe(404);
  });

  it("does not exist in production: the path is then a legacy URL like any other", async () => {
    const res = await get("/_demo/origin/image/upload/samples/landscape.png", "false");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: { code: number }[] }).errors[0]!.code).toBe(2000);
  });
});
