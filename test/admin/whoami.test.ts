import { describe, expect, it } from "vitest";
import { admin, READ_TOKEN } from "../helpers";

describe("GET /_admin/whoami", () => {
  it("names the role of the presented token", async () => {
    const full = await admin("GET", "/whoami");
    expect(full.status).toBe(200);
    expect(full.body.result).toEqual({ role: "admin" });
    const read = await admin("GET", "/whoami", undefined, { token: READ_TOKEN });
    expect(read.status).toBe(200);
    expect(read.body.result).toEqual({ role: "read" });
  });

  it("answers 401 for a wrong or missing token, and 405 for other methods", async () => {
    const wrong = await admin("GET", "/whoami", undefined, { token: "not-a-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0]!.code).toBe(1100);
    expect((await admin("GET", "/whoami", undefined, { token: null })).status).toBe(401);
    const post = await admin("POST", "/whoami", {});
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });
});
