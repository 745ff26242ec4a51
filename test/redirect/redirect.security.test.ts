import { describe, expect, it } from "vitest";
import { createSource, gateway, mapKey } from "../helpers";

describe("redirect: hostile input never produces a 500", () => {
  it.each([
    "/../../etc/passwd",
    "/a/%2e%2e/b.jpg",
    "/a/..%2fb.jpg",
    "/%00.jpg",
    "/a%0d%0aSet-Cookie:%20x=1.jpg",
    "/%zz.jpg",
    "/%E0%A4%A.jpg",
    `/${"a".repeat(1100)}.jpg`,
    "/",
    "//evil.example.com/x.jpg",
  ])("%s → 404 in the envelope", async (path) => {
    const s = await createSource({ kind: "imgix", origin: "https://o.imgix.net", onMiss: "redirect-origin" });
    const res = await gateway(`https://${s.host}${path}`);
    expect(res.status).toBeLessThan(500);
    if (res.status === 302) {
      // Only ever the configured origin's host.
      expect(new URL(res.headers.get("location")!).host).toBe("o.imgix.net");
    } else {
      expect(res.status).toBe(404);
      const body = (await res.json()) as { errors: { code: number; message: string }[] };
      expect(body.errors[0]!.code).toBeGreaterThanOrEqual(2000);
      expect(body.errors[0]!.message).not.toMatch(/at \w+ \(|\.ts:\d+/);
    }
  });

  it("never redirects a crafted path to another host than the origin", async () => {
    const s = await createSource({
      kind: "http",
      origin: "https://files.example.com/base",
      onMiss: "redirect-origin",
    });
    for (const path of [
      "//attacker.example/x.png",
      "/@attacker.example/x.png",
      "/%2F%2Fattacker.example/x.png",
      "/x.png%23@attacker.example",
    ]) {
      const res = await gateway(`https://${s.host}${path}`);
      if (res.status === 302) expect(new URL(res.headers.get("location")!).host).toBe("files.example.com");
      else expect(res.status).toBe(404);
    }
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
