import { describe, expect, it } from "vitest";
import { admin, ADMIN_TOKEN, expectError, READ_TOKEN } from "../helpers";

describe("admin auth", () => {
  it("answers 401 in the envelope without a token, with a Bearer challenge", async () => {
    const res = await admin("GET", "/sources", undefined, { token: null });
    await expectError(res, 401, 1100);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 401 to a wrong token, including one that only shares a prefix", async () => {
    expect((await admin("GET", "/sources", undefined, { token: "nope" })).status).toBe(401);
    expect((await admin("GET", "/sources", undefined, { token: `${ADMIN_TOKEN}-x` })).status).toBe(401);
    expect((await admin("GET", "/sources", undefined, { token: ADMIN_TOKEN.slice(0, -1) })).status).toBe(401);
  });

  it("rejects other schemes than Bearer", async () => {
    const res = await admin("GET", "/sources", undefined, {
      token: null,
      headers: { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` },
    });
    expect(res.status).toBe(401);
  });

  it("lets the read-only token GET but answers 403 to its writes", async () => {
    expect((await admin("GET", "/sources", undefined, { token: READ_TOKEN })).status).toBe(200);
    expect((await admin("GET", "/mappings", undefined, { token: READ_TOKEN })).status).toBe(200);
    const write = await admin("POST", "/sources", { id: "ro-write", kind: "imgix" }, { token: READ_TOKEN });
    await expectError(write, 403, 1101);
    expect((await admin("GET", "/sources/ro-write")).status).toBe(404);
    expect((await admin("POST", "/resolve", { url: "http://x/a" }, { token: READ_TOKEN })).status).toBe(403);
  });

  it("fails closed with 503 on every admin route when ADMIN_TOKEN is unset", async () => {
    for (const [method, path] of [
      ["GET", "/sources"],
      ["POST", "/mappings"],
      ["GET", "/nope"],
    ] as const) {
      // An empty bearer token: what a client sends when it has no token configured either.
      const res = await admin(method, path, undefined, { token: "", vars: { ADMIN_TOKEN: "" } });
      await expectError(res, 503, 1102);
    }
  });

  it("hides admin routes that do not exist behind auth, then answers 404 in the envelope", async () => {
    expect((await admin("GET", "/nothing-here", undefined, { token: null })).status).toBe(401);
    await expectError(await admin("GET", "/nothing-here"), 404, 1001);
  });

  it("answers 405 with Allow for a known admin path and a wrong method", async () => {
    const res = await admin("PUT", "/sources");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
  });
});
