import { describe, expect, it } from "vitest";
import { createSource, gateway, mapKey, uniqueId } from "../helpers";

/**
 * CORS as the old CDNs do it (issue 9 point 4): a page that uses the images with
 * `<img crossorigin>`, a canvas or `fetch()` needs CORS headers on every hop, the redirect included.
 */

const ORIGIN = "https://shop.example";

function cors(res: Response) {
  return {
    allowOrigin: res.headers.get("access-control-allow-origin"),
    timing: res.headers.get("timing-allow-origin"),
    vary: res.headers.get("vary"),
  };
}

describe("cors: the default policy (*)", () => {
  it("a redirect, its repeat from memory, and an end-user error carry Access-Control-Allow-Origin: *", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "a.jpg");
    const first = await gateway(`https://${s.host}/a.jpg?w=10`, { headers: { origin: ORIGIN } });
    expect(first.status).toBe(301);
    expect(cors(first)).toEqual({ allowOrigin: "*", timing: "*", vary: null });
    const again = await gateway(`https://${s.host}/a.jpg?w=10`);
    expect(again.status).toBe(301);
    expect(cors(again)).toEqual({ allowOrigin: "*", timing: "*", vary: null });
    const missing = await gateway(`https://${s.host}/nope.jpg`);
    expect(missing.status).toBe(404);
    expect(cors(missing).allowOrigin).toBe("*");
    const bad = await gateway(`https://${s.host}/a%00.jpg`);
    expect(bad.status).toBe(404);
    expect(cors(bad).allowOrigin).toBe("*");
  });

  it("a URL no source serves, and a refused method, carry it too", async () => {
    const none = await gateway(`https://${uniqueId("nobody")}.example/a.jpg`);
    expect(none.status).toBe(404);
    expect(cors(none)).toMatchObject({ allowOrigin: "*", timing: "*" });
    const s = await createSource({ kind: "imgix" });
    const post = await gateway(`https://${s.host}/a.jpg`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(cors(post).allowOrigin).toBe("*");
  });

  it("the temporary redirect to the origin carries it", async () => {
    const s = await createSource({
      kind: "imgix",
      origin: "https://images.origin.test",
      onMiss: "redirect-origin",
    });
    const res = await gateway(`https://${s.host}/x.jpg`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(302);
    expect(cors(res)).toMatchObject({ allowOrigin: "*", timing: "*" });
  });

  it("an OPTIONS preflight is answered 204 with the CORS headers", async () => {
    const s = await createSource({ kind: "imgix" });
    const res = await gateway(`https://${s.host}/a.jpg?w=10`, {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-trace",
      },
    });
    expect(res.status).toBe(204);
    expect(cors(res)).toMatchObject({ allowOrigin: "*", timing: "*" });
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toBe("x-trace");
    expect(res.headers.get("access-control-max-age")).toBe("86400");
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(await res.text()).toBe("");
  });
});

describe("cors: a source's options.cors", () => {
  it("false: no CORS headers on redirects, errors or preflights", async () => {
    const s = await createSource({ kind: "imgix", options: { cors: false } });
    await mapKey(s.id, "a.jpg");
    for (const path of ["/a.jpg", "/a.jpg", "/missing.jpg"]) {
      const res = await gateway(`https://${s.host}${path}`, { headers: { origin: ORIGIN } });
      expect(cors(res), path).toEqual({ allowOrigin: null, timing: null, vary: null });
    }
    const pre = await gateway(`https://${s.host}/a.jpg`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "GET" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("an origin list: the request's Origin is echoed when listed, and every answer varies by Origin — also from memory", async () => {
    const s = await createSource({ kind: "imgix", options: { cors: [ORIGIN, "https://blog.example"] } });
    await mapKey(s.id, "a.jpg");
    const url = `https://${s.host}/a.jpg?w=20`;
    const listed = await gateway(url, { headers: { origin: ORIGIN } });
    expect(listed.status).toBe(301);
    expect(cors(listed)).toEqual({ allowOrigin: ORIGIN, timing: "*", vary: "Origin" });
    // The repeats come from the isolate's hot answers: they must not hand one origin's answer to another.
    const other = await gateway(url, { headers: { origin: "https://evil.example" } });
    expect(other.status).toBe(301);
    expect(cors(other)).toEqual({ allowOrigin: null, timing: "*", vary: "Origin" });
    const blog = await gateway(url, { headers: { origin: "https://blog.example" } });
    expect(cors(blog)).toEqual({ allowOrigin: "https://blog.example", timing: "*", vary: "Origin" });
    const none = await gateway(url);
    expect(cors(none)).toEqual({ allowOrigin: null, timing: "*", vary: "Origin" });
    const error = await gateway(`https://${s.host}/missing.jpg`, { headers: { origin: ORIGIN } });
    expect(cors(error)).toMatchObject({ allowOrigin: ORIGIN, vary: "Origin" });
  });
});
