import { describe, expect, it } from "vitest";
import { createSource, expectError, expectTemporaryOrigin, gateway, mapKey } from "../helpers";

describe("redirect: hostile input never produces a 500", () => {
  // Every case runs against a source that would otherwise send users to its origin: a path the
  // gateway refuses must not turn into a redirect.
  const redirectingSource = () =>
    createSource({ kind: "imgix", origin: "https://o.imgix.net", onMiss: "redirect-origin" });

  it.each([
    ["a '..' segment behind an escaped slash", "/a/..%2fb.jpg", /must not contain a '\.\.' segment/],
    ["a NUL byte", "/%00.jpg", /control character or NUL/],
    ["CR LF (header injection)", "/a%0d%0aSet-Cookie:%20x=1.jpg", /control character or NUL/],
    ["a key over 1024 bytes", `/${"a".repeat(1100)}.jpg`, /longer than 1024 bytes/],
    ["an empty key", "/", /is empty/],
    ["a key starting with '/' (protocol-relative)", "//evil.example.com/x.jpg", /must not start with '\/'/],
  ])("%s → 404 invalid key (2003) with the reason, no redirect", async (_case, path, reason) => {
    const s = await redirectingSource();
    const res = await gateway(`https://${s.host}${path}`);
    expect(res.headers.get("location")).toBeNull();
    const err = await expectError(res, 404, 2003);
    expect(err.message).toMatch(reason);
  });

  it.each([
    ["an invalid escape", "/%zz.jpg"],
    ["a truncated UTF-8 sequence", "/%E0%A4%A.jpg"],
  ])("%s → 404 unparseable_url (2002) with the reason, no redirect", async (_case, path) => {
    const s = await redirectingSource();
    const res = await gateway(`https://${s.host}${path}`);
    expect(res.headers.get("location")).toBeNull();
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      success: false,
      result: null,
      errors: [{ code: 2002, message: "The path contains a malformed percent-escape." }],
    });
  });

  it.each([
    ["/../../etc/passwd", "https://o.imgix.net/etc/passwd"],
    ["/a/%2e%2e/b.jpg", "https://o.imgix.net/b.jpg"],
  ])(
    "%s: dot segments are resolved by URL parsing before the gateway sees the path → origin redirect to %s",
    async (path, location) => {
      const s = await redirectingSource();
      expectTemporaryOrigin(await gateway(`https://${s.host}${path}`), location);
    },
  );

  describe("a crafted path never sends users to another host than the origin", () => {
    const httpSource = () =>
      createSource({ kind: "http", origin: "https://files.example.com/base", onMiss: "redirect-origin" });

    it.each(["//attacker.example/x.png", "/%2F%2Fattacker.example/x.png"])(
      "%s → 404: a key never starts with '/'",
      async (path) => {
        const s = await httpSource();
        const res = await gateway(`https://${s.host}${path}`);
        expect(res.headers.get("location")).toBeNull();
        expect((await expectError(res, 404, 2003)).message).toMatch(/must not start with '\/'/);
      },
    );

    it.each([
      ["/@attacker.example/x.png", "https://files.example.com/base/%40attacker.example/x.png"],
      ["/x.png%23@attacker.example", "https://files.example.com/base/x.png%23%40attacker.example"],
    ])("%s → origin redirect to %s: '@' and '#' stay escaped in the path", async (path, location) => {
      const s = await httpSource();
      expectTemporaryOrigin(await gateway(`https://${s.host}${path}`), location);
    });
  });

  it("does not let a request for one host use another host's source", async () => {
    const a = await createSource({ kind: "imgix" });
    await mapKey(a.id, "private.jpg");
    expect((await gateway(`https://${a.host}/private.jpg`)).status).toBe(301);
    expect((await gateway(`https://other-${a.host}/private.jpg`)).status).toBe(404);
  });

  it("does not serve /_admin or /_health paths from a catch-all source", async () => {
    const s = await createSource({
      kind: "http",
      host: null,
      pathPrefix: "/",
      origin: "https://o.example",
      onMiss: "redirect-origin",
    });
    const res = await gateway(`https://any.example/_admin/sources`);
    expect(res.status).toBe(401);
    expect((await gateway(`https://any.example/_health`)).status).toBe(200);
    expect((await gateway(`https://any.example/other.png`)).headers.get("location")).toBe(
      `${s.origin}/other.png`,
    );
  });
});
