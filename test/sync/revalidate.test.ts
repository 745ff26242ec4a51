import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createSource, gateway } from "../helpers";
import { mappingOf } from "../ingest/helpers";
import { mutableOrigin, pngVersion, runCron } from "./helpers";

/** Sets a mapping's last check (null = never), as if it had been checked then. */
async function checkedAt(source: string, key: string, at: string | null) {
  await env.DB.prepare("UPDATE mappings SET checked_at = ? WHERE source = ? AND key = ?")
    .bind(at, source, key)
    .run();
}

describe("revalidation by the Cron Trigger", () => {
  it("re-checks the oldest ready mappings first (never checked before all), a bounded batch per run", async () => {
    const o = mutableOrigin("revalidate.origin.test", pngVersion(1));
    const s = await createSource({
      kind: "imgix",
      origin: "https://revalidate.origin.test",
      revalidateAfter: 3600,
    });
    const keys = ["k0.png", "k1.png", "k2.png", "k3.png", "k4.png", "k5.png"];
    for (const k of keys) expect((await gateway(`https://${s.host}/${k}`)).status).toBe(301);
    const now = Date.now();
    const hoursAgo = (h: number) => new Date(now - h * 3600_000).toISOString();
    await checkedAt(s.id, "k0.png", hoursAgo(5));
    await checkedAt(s.id, "k1.png", null);
    await checkedAt(s.id, "k2.png", hoursAgo(0.5)); // checked recently: not due
    await checkedAt(s.id, "k3.png", hoursAgo(2));
    await checkedAt(s.id, "k4.png", null);
    await checkedAt(s.id, "k5.png", hoursAgo(9));
    // A source without revalidateAfter is never re-checked.
    const quiet = mutableOrigin("quiet.origin.test", pngVersion(1));
    const q = await createSource({ kind: "imgix", origin: "https://quiet.origin.test" });
    await gateway(`https://${q.host}/never.png`);
    await checkedAt(q.id, "never.png", null);

    const fetched = () => o.origin.requests.slice(keys.length).map((r) => new URL(r.url).pathname.slice(1));
    await runCron(now, { REVALIDATE_BATCH: "3" });
    // Never checked first (in id order), then the oldest check: exactly three.
    expect(fetched()).toEqual(["k1.png", "k4.png", "k5.png"]);
    await runCron(now, { REVALIDATE_BATCH: "3" });
    expect(fetched().slice(3)).toEqual(["k0.png", "k3.png"]);
    await runCron(now, { REVALIDATE_BATCH: "3" });
    expect(fetched()).toHaveLength(5); // nothing else is due
    expect(quiet.origin.hits()).toBe(1);

    // Each went through the refresh path: conditional, recorded, counted.
    expect(o.origin.requests.at(-1)!.headers.get("if-none-match")).toBe('"v1"');
    expect(await mappingOf(s.id, "k5.png")).toMatchObject({ refreshOutcome: "unchanged" });
    const stats = (await admin("GET", "/stats")).body.result;
    expect(stats.sources.find((x: any) => x.source === s.id).refreshes.unchanged).toBe(5);
  });

  it("a changed original is picked up by revalidation", async () => {
    const o = mutableOrigin("revalidate-change.origin.test", pngVersion(1));
    const s = await createSource({
      kind: "imgix",
      origin: "https://revalidate-change.origin.test",
      revalidateAfter: 60,
    });
    await gateway(`https://${s.host}/p.png`);
    const before = await mappingOf(s.id, "p.png");
    o.replace(pngVersion(2));
    await runCron(Date.now() + 61_000);
    const after = await mappingOf(s.id, "p.png");
    expect(after.refreshOutcome).toBe("changed");
    expect(after.imageId).not.toBe(before.imageId);
  });

  it("revalidateAfter needs an origin and is at least 60 seconds", async () => {
    const noOrigin = await admin("POST", "/sources", {
      id: "reval-no-origin",
      kind: "http",
      revalidateAfter: 3600,
    });
    expect(noOrigin.status).toBe(422);
    expect(noOrigin.body.errors[0]!.message).toMatch(/^revalidateAfter: /);
    const tooShort = await admin("POST", "/sources", {
      id: "reval-short",
      kind: "http",
      origin: "https://x.test",
      revalidateAfter: 5,
    });
    expect(tooShort.status).toBe(422);
    const fine = await admin("POST", "/sources", {
      id: "reval-fine",
      kind: "http",
      host: "reval-fine.test",
      origin: "https://x.test",
      revalidateAfter: 86400,
      onOriginGone: "orphan",
    });
    expect(fine.body.result).toMatchObject({ revalidateAfter: 86400, onOriginGone: "orphan" });
    const defaults = await createSource({ kind: "http" });
    expect(defaults).toMatchObject({ revalidateAfter: null, onOriginGone: "keep" });
  });
});
