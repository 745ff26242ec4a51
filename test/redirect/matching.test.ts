import { describe, expect, it } from "vitest";
import { matchSource, normalizeHost, orderForMatching, underPrefix } from "../../src/sources/match";
import type { Source } from "../../src/sources/types";
import { createSource, gateway, mapKey, uniqueId } from "../helpers";

const src = (id: string, host: string | null, pathPrefix: string, enabled = true): Source => ({
  id,
  kind: "http",
  host,
  pathPrefix,
  origin: null,
  onMiss: "not-found",
  redirectStatus: 301,
  defaultVariant: "public",
  requireSignedURLs: false,
  options: {},
  enabled,
  onOriginGone: "keep",
  revalidateAfter: null,
  createdAt: "",
  updatedAt: "",
});

describe("source matching (unit)", () => {
  const ordered = orderForMatching([
    src("any-root", null, "/"),
    src("any-img", null, "/img"),
    src("any-img-deep", null, "/img/legacy"),
    src("host-root", "cdn.example.com", "/"),
    src("host-disabled", "cdn.example.com", "/img", false),
  ]);
  const m = (u: string) => matchSource(ordered, new URL(u));

  it("prefers a host match over host: null, whatever the prefix length", () => {
    expect(m("https://cdn.example.com/img/legacy/a.jpg")?.source.id).toBe("host-root");
  });
  it("picks the longest prefix among equals and strips it", () => {
    expect(m("https://x.example/img/legacy/a.jpg")).toMatchObject({
      source: { id: "any-img-deep" },
      rest: "/a.jpg",
    });
    expect(m("https://x.example/img/a.jpg")).toMatchObject({ source: { id: "any-img" }, rest: "/a.jpg" });
  });
  it("treats prefixes as whole segments", () => {
    expect(m("https://x.example/imgs/a.jpg")?.source.id).toBe("any-root");
    expect(m("https://x.example/img")).toMatchObject({ source: { id: "any-img" }, rest: "/" });
  });
  it("matches hosts case-insensitively and ignores the port", () => {
    expect(m("https://CDN.Example.COM:8443/a.jpg")?.source.id).toBe("host-root");
    expect(normalizeHost("[::1]:8787")).toBe("[::1]");
  });
  it("skips disabled sources and never matches the gateway's own paths", () => {
    expect(ordered.map((s) => s.id)).not.toContain("host-disabled");
    expect(m("https://x.example/_admin/sources")).toBeNull();
    expect(m("https://x.example/_health")).toBeNull();
    expect(m("https://x.example/_healthy/a.jpg")?.source.id).toBe("any-root");
  });
  it("underPrefix handles the root prefix", () => {
    expect(underPrefix("/anything", "/")).toBe(true);
    expect(underPrefix("/ab", "/a")).toBe(false);
  });
});

describe("source matching (through the gateway)", () => {
  it("routes one host's paths to different sources by longest prefix", async () => {
    const host = `${uniqueId("multi")}.example`;
    const root = await createSource({ kind: "http", host, pathPrefix: "/" });
    const deep = await createSource({ kind: "http", host, pathPrefix: "/static/img" });
    const a = await mapKey(root.id, "static/other/a.png");
    const b = await mapKey(deep.id, "b.png");
    expect((await gateway(`https://${host}/static/other/a.png`)).headers.get("location")).toContain(
      `/${a.imageId}/`,
    );
    expect((await gateway(`https://${host}/static/img/b.png`)).headers.get("location")).toContain(
      `/${b.imageId}/`,
    );
  });
});
