import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, DELIVERY, expectError, fetchWith, gateway } from "../helpers";

const UI = "http://gateway.test/_admin/ui";

describe("GET /_admin/ui — the operator dashboard", () => {
  it("answers 200 at exactly that path, without auth, with the page and a strict CSP", async () => {
    const res = await gateway(UI);
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<input id="token" name="token" type="password"');
    expect(html).toContain('<script type="module" src="/_admin/ui/app.js">');
    // No inline script or style in the page itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);

    const csp = res.headers.get("content-security-policy")!;
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d]));
    expect(directives["default-src"]).toBe("default-src 'self'");
    expect(directives["script-src"]).toBe("script-src 'self'");
    expect(directives["style-src"]).toBe("style-src 'self'");
    expect(directives["connect-src"]).toBe("connect-src 'self'");
    expect(directives["frame-ancestors"]).toBe("frame-ancestors 'none'");
    expect(directives["form-action"]).toBe("form-action 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // Images: the gateway itself (local Images mock) and the delivery base's origin.
    expect(directives["img-src"]).toBe(`img-src 'self' ${new URL(DELIVERY).origin}`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves the script and the stylesheet with their types, the same headers, and no auth", async () => {
    const js = await gateway(`${UI}/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(js.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await js.text()).length).toBeGreaterThan(1000);
    const css = await gateway(`${UI}/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("leaves no other admin route open: the API still needs a token", async () => {
    expect((await admin("GET", "/stats", undefined, { token: null })).status).toBe(401);
    await expectError(await gateway(`${UI}/nope.js`), 404, 1001);
    // Only the dashboard's own plain file names: an escaped name or a way out of its folder is a
    // 404 (not, say, the asset server's redirect to the unescaped name).
    for (const odd of ["/%61pp.js", "/..%2f_demo%2fdemo.css", "/sub/app.js"]) {
      await expectError(await gateway(`${UI}${odd}`), 404, 1001);
    }
  });

  it("sends /_admin/ui/ to /_admin/ui, and refuses other methods", async () => {
    const slash = await gateway(`${UI}/`);
    expect(slash.status).toBe(308);
    expect(slash.headers.get("location")).toBe("/_admin/ui");
    const post = await gateway(UI, { method: "POST", body: "{}" });
    await expectError(post, 405, 1002);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await gateway(UI, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("allows images from the gateway only when the delivery base is the local Images mock", async () => {
    const { res } = await fetchWith(UI, { DELIVERY_BASE_URL: "" });
    expect(res.headers.get("content-security-policy")).toContain("img-src 'self';");
    const custom = await fetchWith(UI, {
      DELIVERY_BASE_URL: "https://img.example.com/cdn-cgi/imagedelivery/abc",
    });
    expect(custom.res.headers.get("content-security-policy")).toContain(
      "img-src 'self' https://img.example.com;",
    );
  });

  it("is the same page whether or not the admin API is enabled (it holds no data)", async () => {
    const { res } = await fetchWith(UI, { ADMIN_TOKEN: "" });
    expect(res.status).toBe(200);
    expect(env.ADMIN_TOKEN).toBeTruthy();
  });
});
