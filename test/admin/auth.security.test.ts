import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { admin, READ_TOKEN } from "../helpers";

describe("admin auth", () => {
  it("answers 401 in the envelope without a token, with a Bearer challenge", async () => {
    const res = await admin("GET", "/sources", undefined, { token: null });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
    expect(res.body.errors[0]!.code).toBe(1100);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 401 to a wrong token, including one that only shares a prefix", async () => {
    expect((await admin("GET", "/sources", undefined, { token: "nope" })).status).toBe(401);
    expect((await admin("GET", "/sources", undefined, { token: "test-admin-token-x" })).status).toBe(401);
    expect((await admin("GET", "/sources", undefined, { token: "test-admin-toke" })).status).toBe(401);
  });

  it("rejects other schemes than Bearer", async () => {
    const res = await admin("GET", "/sources", undefined, {
      token: null,
      headers: { authorization: `Basic ${btoa("admin:test-admin-token")}` },
    });
    expect(res.status).toBe(401);
  });

  it("lets the read-only token GET but answers 403 to its writes", async () => {
    expect((await admin("GET", "/sources", undefined, { token: READ_TOKEN })).status).toBe(200);
    expect((await admin("GET", "/mappings", undefined, { token: READ_TOKEN })).status).toBe(200);
    const write = await admin("POST", "/sources", { id: "ro-write", kind: "imgix" }, { token: READ_TOKEN });
    expect(write.status).toBe(403);
    expect(write.body.errors[0]!.code).toBe(1101);
    expect((await admin("GET", "/sources/ro-write")).status).toBe(404);
    expect((await admin("POST", "/resolve", { url: "http://x/a" }, { token: READ_TOKEN })).status).toBe(403);
  });

  it("fails closed with 503 on every admin route when ADMIN_TOKEN is unset", async () => {
    const noToken = { ...env, ADMIN_TOKEN: "" } as Env;
    for (const [method, path] of [
      ["GET", "/_admin/sources"],
      ["POST", "/_admin/mappings"],
      ["GET", "/_admin/nope"],
    ] as const) {
      const res = await worker.fetch(
        new Request(`http://gateway.test${path}`, { method, headers: { authorization: "Bearer " } }),
        noToken,
        createExecutionContext(),
      );
      expect(res.status).toBe(503);
      const body = (await res.json()) as { errors: { code: number }[] };
      expect(body.errors[0]!.code).toBe(1102);
    }
  });

  it("hides admin routes that do not exist behind auth, then answers 404 in the envelope", async () => {
    expect((await admin("GET", "/nothing-here", undefined, { token: null })).status).toBe(401);
    const res = await admin("GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.errors[0]!.code).toBe(1001);
  });

  it("answers 405 with Allow for a known admin path and a wrong method", async () => {
    const res = await admin("PUT", "/sources");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
  });
});
