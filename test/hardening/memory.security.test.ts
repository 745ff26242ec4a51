import { describe, expect, it } from "vitest";
import { answerStats, MAX_ANSWER_BYTES, rememberAnswer } from "../../src/cache/answers";
import { lookupStats, MAX_LOOKUP_BYTES, toMemory } from "../../src/cache/lookups";
import { config } from "../../src/config";
import { parseImgixUrl } from "../../src/parsers/imgix";
import { CARRIED_PARAMS } from "../../src/parsers/imgix/params";
import { createSource, gateway, mapKey, fetchWith } from "../helpers";

import { makeSource } from "../parsers/helpers";

/**
 * SPEC "Limits that keep the public path safe": everything cached per isolate is bounded in
 * entries and bytes; query params no parser reads never make a cache key or entry larger. The
 * audit's attack: `/h/good.png?junk=<15 KB>&i=N` grew workerd by 120 MB over 6 000 requests.
 */
describe("per-isolate memory under the junk-query attack", () => {
  it("ignored query params never enter a hot-answer key, and every request is still redirected", async () => {
    const s = await createSource({ kind: "imgix" });
    const m = await mapKey(s.id, "good.png");
    const junk = "j".repeat(7000); // below the 8 KiB limit (longer URLs are 414s now)
    const before = answerStats();
    const lookupsBefore = lookupStats();
    for (let i = 0; i < 200; i++) {
      const { res } = await fetchWith(`https://${s.host}/good.png?w=100&junk=${junk}&i=${i}`, {});
      expect(res.status).toBe(301);
      expect(res.headers.get("location")).toBe(`https://imagedelivery.net/test-hash/${m.imageId}/w=100`);
    }
    const after = answerStats();
    expect(after.bytes - before.bytes).toBeLessThan(16 * 1024);
    expect(after.longestKey).toBeLessThan(junk.length);
    // One asset: one lookup entry, however many URLs.
    expect(lookupStats().entries - lookupsBefore.entries).toBeLessThanOrEqual(1);
  });

  it("a URL whose query only holds params the parser reads is still answered from memory", async () => {
    const s = await createSource({ kind: "imgix" });
    await mapKey(s.id, "hot.png");
    const url = `https://${s.host}/hot.png?w=200&fit=crop&h=100`;
    const before = answerStats().entries;
    expect((await gateway(url)).status).toBe(301);
    expect(answerStats().entries).toBe(before + 1);
    expect((await gateway(url)).status).toBe(301);
    expect(answerStats().entries).toBe(before + 1);
    // The same asset with a param no parser reads: redirected, but not remembered under that URL.
    expect((await gateway(`${url}&utm_source=x`)).status).toBe(301);
    expect(answerStats().entries).toBe(before + 1);
  });

  it("every param the hot-answer rule treats as read changes what the imgix parser returns", () => {
    const source = makeSource("imgix");
    const probes: Record<string, [base: string, withParam: string]> = {
      w: ["", "w=100"],
      h: ["", "h=100"],
      fit: ["w=100&h=100", "w=100&h=100&fit=crop"],
      crop: ["w=100&h=100&fit=crop", "w=100&h=100&fit=crop&crop=faces"],
      ar: ["w=100&fit=crop", "w=100&fit=crop&ar=1:2"],
      rect: ["", "rect=10,10,100,100"],
      "max-w": ["w=400&h=200&fit=crop", "w=400&h=200&fit=crop&max-w=200"],
      "max-h": ["w=400&h=200&fit=crop", "w=400&h=200&fit=crop&max-h=100"],
      "fp-x": ["w=100&h=100&fit=crop&crop=focalpoint", "w=100&h=100&fit=crop&crop=focalpoint&fp-x=0.2"],
      "fp-y": ["w=100&h=100&fit=crop&crop=focalpoint", "w=100&h=100&fit=crop&crop=focalpoint&fp-y=0.2"],
      q: ["", "q=50"],
      auto: ["", "auto=format"],
      fm: ["", "fm=png"],
      dpr: ["", "dpr=2"],
      blur: ["", "blur=100"],
      sharp: ["", "sharp=50"],
      bg: ["", "bg=ff0000"],
      bri: ["", "bri=20"],
      con: ["", "con=20"],
      gam: ["", "gam=20"],
      sat: ["", "sat=-100"],
      flip: ["", "flip=h"],
      rot: ["", "rot=90"],
      trim: ["", "trim=auto"],
      "trim-color": ["trim=color", "trim=color&trim-color=ff0000"],
    };
    expect(Object.keys(probes).sort()).toEqual([...CARRIED_PARAMS].sort());
    const options = (q: string) => {
      const url = new URL(`https://x.test/a.jpg${q ? `?${q}` : ""}`);
      const r = parseImgixUrl(url, url.pathname, source);
      if (!r.ok) throw new Error(r.message);
      return JSON.stringify(r.options);
    };
    for (const [name, [base, withParam]] of Object.entries(probes)) {
      expect(options(withParam), name).not.toBe(options(base));
    }
  });

  it("hot answers stay within their byte budget, however long the remembered URLs", () => {
    const cfg = config({} as Env);
    const lookup = {
      value: { id: 1, imageId: "x", state: "ready", retryAt: null, leaseUntil: null },
      expiresAt: Date.now() + 60_000,
      size: 0,
    } as const;
    const location = `https://imagedelivery.net/h/${"i".repeat(1000)}/public`;
    for (let i = 0; i < 4000; i++) {
      const url = `https://a.test/${"p".repeat(1900)}${i}`;
      rememberAnswer(
        cfg,
        url,
        {
          status: 301,
          headers: {},
          mappingId: i,
          expiresAt: Date.now() + 60_000,
          lookup: { ...lookup },
        },
        location,
      );
    }
    const stats = answerStats();
    expect(stats.bytes).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(stats.entries).toBeLessThan(4000);
  });

  it("mapping lookups stay within their byte budget with 1024-byte keys and image ids", () => {
    const now = Date.now();
    for (let i = 0; i < 3000; i++) {
      const value = {
        id: i,
        imageId: `${"i".repeat(1000)}${i}`,
        state: "ready" as const,
        retryAt: null,
        leaseUntil: null,
      };
      toMemory("bytes-src", `${"k".repeat(1000)}${i}`, value, 60_000, now);
    }
    expect(lookupStats().bytes).toBeLessThanOrEqual(MAX_LOOKUP_BYTES);
    expect(lookupStats().entries).toBeLessThan(3000);
  });
});
