import { describe, expect, it } from "vitest";
import { admin, createSource, gateway, mapKey } from "../helpers";

const errorOf = async (res: Response) => ((await res.json()) as { errors: { code: number }[] }).errors[0]!;

describe("request URLs over 8 KiB (SPEC: 414, checked before any parsing)", () => {
  it("answers 414 for a path and query over 8192 bytes, on every path", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "long.jpg");
    const query = `?w=100&junk=${"x".repeat(8192)}`;
    for (const url of [
      `https://${s.host}/long.jpg${query}`,
      `https://unknown-host.test/${"a/".repeat(4200)}x.jpg`,
      `https://${s.host}/_admin/sources${query}`,
    ]) {
      const res = await gateway(url);
      expect(res.status, url.slice(0, 60)).toBe(414);
      expect((await errorOf(res)).code).toBe(1008);
    }
    const head = await gateway(`https://${s.host}/long.jpg${query}`, { method: "HEAD" });
    expect(head.status).toBe(414);
    expect(await head.text()).toBe("");
  });

  it("reads a URL of exactly 8192 bytes of path and query as usual", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "edge.jpg");
    const path = "/edge.jpg?w=100&junk=";
    const url = `https://${s.host}${path}${"x".repeat(8192 - path.length)}`;
    const res = await gateway(url);
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toContain(m.imageId);
    // The admin API is not cut short either (a long prefix filter is still a 200 or a 422).
    const list = await admin("GET", `/mappings?source=${s.id}&prefix=${"p".repeat(1000)}`);
    expect(list.status).toBe(200);
  });
});
