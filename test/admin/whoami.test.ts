import { describe, expect, it } from "vitest";
import { admin, expectError, READ_TOKEN } from "../helpers";

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
    await expectError(await admin("GET", "/whoami", undefined, { token: "not-a-token" }), 401, 1100);
    await expectError(await admin("GET", "/whoami", undefined, { token: null }), 401, 1100);
    const post = await admin("POST", "/whoami", {});
    await expectError(post, 405, 1002);
    expect(post.headers.get("allow")).toBe("GET");
  });
});
