import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, admin, createSource, gateway, mapKey } from "../helpers";
import { serveOrigin } from "../origin";

let lines: Record<string, unknown>[] = [];
let raw: string[] = [];
beforeEach(() => {
  lines = [];
  raw = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    const text = args.map(String).join(" ");
    raw.push(text);
    if (text.startsWith('{"id":')) lines.push(JSON.parse(text));
  });
});
afterEach(() => vi.restoreAllMocks());

describe("structured logs: one JSON line per request that did work", () => {
  it("a redirect that did work logs source, key, action, status, duration and D1 statements; a hot answer logs nothing", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "logged.jpg");
    lines = [];
    const url = `https://${s.host}/logged.jpg?w=10`;
    const res = await gateway(url, { headers: { "cf-ray": "8a1b2c3d4e5f-AMS" } });
    expect(res.status).toBe(301);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      id: "8a1b2c3d4e5f-AMS",
      method: "GET",
      source: s.id,
      key: "logged.jpg",
      action: "redirect",
      status: 301,
    });
    expect(typeof lines[0]!.ms).toBe("number");
    expect(lines[0]!.d1).toBeGreaterThanOrEqual(0);
    await gateway(url); // answered from memory
    expect(lines).toHaveLength(1);
  });

  it("counts the D1 statements of a request that reads D1, and generates an id without cf-ray", async () => {
    const s = await createSource({ kind: "imgix" });
    lines = [];
    await gateway(`https://${s.host}/unmapped.jpg`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: "not-found", status: 404, error: 2004 });
    expect(lines[0]!.d1).toBeGreaterThanOrEqual(1);
    expect(String(lines[0]!.id)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a failed ingest logs its reason code; admin requests log their path, never a token or a query", async () => {
    serveOrigin("logfail.origin.test", () => new Response("down", { status: 503 }));
    const s = await createSource({ kind: "imgix", origin: "https://logfail.origin.test" });
    lines = [];
    await gateway(`https://${s.host}/f.jpg?s=SIGNATURE-SECRET&w=1`);
    expect(lines[0]).toMatchObject({
      action: "ingest",
      outcome: "failed",
      reason: "origin_5xx",
      status: 302,
    });
    await admin("GET", `/mappings?source=${s.id}&prefix=QUERY-SECRET`);
    expect(lines[1]).toMatchObject({ action: "admin", path: "/_admin/mappings", status: 200 });
    await admin("GET", "/sources/nope");
    expect(lines[2]).toMatchObject({ status: 404, error: 3000 });
    const all = raw.join("\n");
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).not.toContain("SIGNATURE-SECRET");
    expect(all).not.toContain("QUERY-SECRET");
  });
});
