import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREMAPPED_PATHS } from "../scripts/demo-premap.mjs";
import { adminApi, gatewayUrl } from "./api";
import { type Browser, launch, newPage, screenshot, unexpected } from "./browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Every <img> of the page once the page's load event has fired (images loaded or failed). */
async function images(page: import("playwright-core").Page) {
  return page.$$eval("img", (imgs) =>
    imgs.map((img) => ({ src: img.getAttribute("src"), complete: img.complete, width: img.naturalWidth })),
  );
}

describe("the demo page (npm start)", () => {
  it("shows every legacy image decoded, after the browser followed the redirects", async () => {
    // npm start mapped these before anyone viewed the page: they redirect at once, no ingest.
    for (const path of PREMAPPED_PATHS) {
      const r = await adminApi<{ action: string }>("POST", "/resolve", { url: gatewayUrl() + path });
      expect(r.action, path).toBe("redirect");
    }
    const { page, problems } = await newPage(browser);
    const redirected: string[] = [];
    page.on("response", (res) => {
      if (res.status() >= 300 && res.status() < 400) redirected.push(res.url());
    });
    const res = await page.goto(`${gatewayUrl()}/`, { waitUntil: "load" });
    expect(res?.status()).toBe(200);
    const imgs = await images(page);
    expect(imgs.length).toBeGreaterThanOrEqual(6);
    for (const img of imgs) expect(img, `${img.src} decoded`).toMatchObject({ complete: true });
    for (const img of imgs) expect(img.width, `${img.src} naturalWidth`).toBeGreaterThan(0);
    // They are legacy URLs: each one was answered with a redirect.
    const legacy = imgs.map((i) => new URL(i.src!, gatewayUrl()).toString());
    for (const url of legacy) expect(redirected).toContain(url);
    await screenshot(page, "demo");
    expect(unexpected(problems)).toEqual([]);
  });

  it("links to the dashboard, and reads at 375 px without sideways scrolling", async () => {
    const { page, problems } = await newPage(browser, 375);
    await page.goto(`${gatewayUrl()}/`, { waitUntil: "load" });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "demo-375");
    await page.click('a[href="/_admin/ui"]');
    await page.waitForURL(`${gatewayUrl()}/_admin/ui`);
    await page.locator("#token").waitFor({ state: "visible" });
    expect(unexpected(problems)).toEqual([]);
  });
});
