import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApi, gatewayUrl, settle } from "./api";
import { type Browser, type Expected, launch, newPage, screenshot, unexpected } from "./browser";
import { ADMIN_TOKEN, READ_TOKEN } from "./tokens";

const STATS = ["ready", "ingesting", "failed", "missing", "orphaned", "total"] as const;
/** Mapped by beforeAll: the resolve box must show its image. */
const MAPPED = () => `${gatewayUrl()}/imgix/photos/e2e-mapped.svg?w=200&fit=crop`;
/** A source whose origin refuses connections: its ingests fail (network_error). */
const FLAKY = "e2e-flaky";
const DEAD_ORIGIN = "http://127.0.0.1:9";

/**
 * Until the jobs routes exist, the dashboard's one request for them is a 404 (and the panel says
 * "Jobs are not available"): the only failed request a page may make on its own.
 */
const NO_JOBS: Expected = { status: 404, path: "/_admin/jobs" };

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
  // A newcomer's first steps: the demo page (its images migrate), then the dashboard.
  const { page } = await newPage(browser);
  await page.goto(`${gatewayUrl()}/`, { waitUntil: "load" });
  await page.close();
  await adminApi("POST", "/sources", { id: FLAKY, kind: "imgix", pathPrefix: "/flaky", origin: DEAD_ORIGIN });
  const ingested = await adminApi<{ url: string; status: string }[]>("POST", "/ingest", {
    urls: [MAPPED(), `${gatewayUrl()}/flaky/one.png`, `${gatewayUrl()}/flaky/two.png`],
  });
  expect(ingested.map((r) => r.status)).toEqual(["ingested", "failed", "failed"]);
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${gatewayUrl()}/_admin/ui`);
  await page.fill("#token", token);
  await page.click('#signin button[type="submit"]');
}

/** Signs in and waits until the progress numbers and the failures are on the page. */
async function dashboard(token: string, width = 1280) {
  const opened = await newPage(browser, width);
  await signIn(opened.page, token);
  await opened.page.locator("#sources [data-stat]").first().waitFor();
  await opened.page.locator("#failures article, #failures .empty").first().waitFor();
  return opened;
}

/** The numbers the page shows: { source: { field: value } }, from the exact data-value. */
async function shownNumbers(page: Page) {
  const cells = await page.$$eval("#sources [data-stat]", (els) =>
    els.map((el) => ({
      source: el.getAttribute("data-source")!,
      field: el.getAttribute("data-stat")!,
      value: Number(el.getAttribute("data-value")),
    })),
  );
  const out: Record<string, Record<string, number>> = {};
  for (const { source, field, value } of cells) (out[source] ??= {})[field] = value;
  return out;
}

describe("the operator dashboard", () => {
  it("shows, after the token is entered, the same numbers as GET /_admin/stats", async () => {
    await settle();
    const { page, problems } = await dashboard(ADMIN_TOKEN);
    const shown = await shownNumbers(page);
    const stats = await adminApi<any>("GET", "/stats");
    const expected: Record<string, Record<string, number>> = {};
    for (const s of [...stats.sources, { source: "(all)", ...stats.totals }]) {
      expected[s.source] = { hits: s.hits, bytesIngested: s.bytesIngested };
      for (const f of STATS) expected[s.source]![f] = s.mappings[f];
    }
    expect(shown).toEqual(expected);
    expect(Object.keys(shown)).toEqual(
      expect.arrayContaining(["demo-cloudinary", "demo-imgix", "demo-s3", FLAKY]),
    );
    expect(await page.locator("#role").textContent()).toBe("admin");
    // The token lives in this tab's sessionStorage, nowhere else.
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([ADMIN_TOKEN]);
    expect(await page.evaluate(() => localStorage.length + document.cookie.length)).toBe(0);
    await screenshot(page, "dashboard");
    expect(unexpected(problems, [NO_JOBS])).toEqual([]);
  });

  it("lists failures by reason with the failing mappings, and a retry click moves one", async () => {
    const { page, problems } = await dashboard(ADMIN_TOKEN);
    const failing = await adminApi<any[]>("GET", `/mappings?source=${FLAKY}&state=failed`);
    const one = failing.find((m) => m.key === "one.png")!;
    const block = page.locator(`#failures article[data-source="${FLAKY}"]`);
    await expect(block.locator('[data-reason="network_error"]').first().textContent()).resolves.toMatch(
      /network_error/,
    );
    const row = block.locator(`li[data-mapping="${one.id}"]`);
    expect(await row.locator(".key").textContent()).toBe("one.png");
    expect(await row.locator(".last-error").textContent()).toBe(one.lastError);

    // The origin is back (moved to the demo origin): one click ingests the mapping now.
    await adminApi("PATCH", `/sources/${FLAKY}`, { origin: `${gatewayUrl()}/_demo/origin` });
    await row.locator("button.retry").click();
    await page.locator("#failures-message.ok").waitFor();
    expect(await page.locator("#failures-message").textContent()).toMatch(/one\.png: it is now ready/);
    await row.waitFor({ state: "detached" });
    expect((await adminApi("GET", `/mappings/${one.id}`)).state).toBe("ready");
    await page.locator(`[data-source="${FLAKY}"][data-stat="ready"][data-value="1"]`).waitFor();
    await adminApi("PATCH", `/sources/${FLAKY}`, { origin: DEAD_ORIGIN });
    expect(unexpected(problems, [NO_JOBS])).toEqual([]);
  });

  it("shows the read-only token everything but no write button", async () => {
    const { page, problems } = await dashboard(READ_TOKEN);
    expect(await page.locator("#role").textContent()).toBe("read-only");
    const stillFailing = page.locator(`#failures article[data-source="${FLAKY}"] li.mapping`);
    expect(await stillFailing.count()).toBeGreaterThan(0);
    expect(await page.locator("button.retry").count()).toBe(0);
    expect(await page.locator("#sources [data-stat]").count()).toBeGreaterThan(0);
    expect(unexpected(problems, [NO_JOBS])).toEqual([]);
  });

  it("says so for a wrong token and shows nothing", async () => {
    const { page, problems } = await newPage(browser);
    await signIn(page, "not-the-token");
    await page.locator("#message").waitFor();
    expect(await page.locator("#message").textContent()).toMatch(/token was refused: 401 · 1100/);
    expect(await page.locator("#app").isHidden()).toBe(true);
    expect(await page.locator("[data-stat], li.mapping, #jobs > *").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await screenshot(page, "dashboard-wrong-token");
    expect(unexpected(problems, [{ status: 401, path: "/_admin/whoami" }])).toEqual([]);
  });

  it("resolves a mapped URL: the decision, the Location and the image", async () => {
    const { page, problems } = await dashboard(ADMIN_TOKEN, 1024);
    await page.fill("#resolve-url", MAPPED());
    await page.click('#resolve-form button[type="submit"]');
    await page.locator("#resolve-result [data-action]").waitFor();
    const api = await adminApi<any>("POST", "/resolve", { url: MAPPED() });
    expect(await page.locator("#resolve-result [data-action]").textContent()).toBe("redirect");
    expect(await page.locator("#resolve-result a.location").getAttribute("href")).toBe(api.location);
    const img = page.locator("#resolve-result img.preview");
    await img.evaluate((el: HTMLImageElement) =>
      el.complete ? undefined : new Promise((r) => el.addEventListener("load", r, { once: true })),
    );
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, "dashboard-resolve");
    expect(unexpected(problems, [NO_JOBS])).toEqual([]);
  });

  it("shows the parser's reason for a URL it cannot parse, and API errors as messages", async () => {
    const { page, problems } = await dashboard(ADMIN_TOKEN);
    const garbage = `${gatewayUrl()}/cloudinary/demo/video/upload/v1/clip.mp4`;
    await page.fill("#resolve-url", garbage);
    await page.click('#resolve-form button[type="submit"]');
    await page.locator("#resolve-result [data-error-code]").waitFor();
    const api = await adminApi<any>("POST", "/resolve", { url: garbage });
    expect(api.action).toBe("invalid");
    expect(await page.locator("#resolve-result [data-action]").textContent()).toBe("invalid");
    expect(await page.locator("#resolve-result [data-error-code]").textContent()).toBe(
      `${api.error.code}: ${api.error.message}`,
    );

    // Not a URL at all: the API refuses it (422) and the page says why.
    await page.fill("#resolve-url", "this is not a URL");
    await page.click('#resolve-form button[type="submit"]');
    await page.locator("#resolve-result .message.error:not([data-error-code])").waitFor();
    expect(await page.locator("#resolve-result .message").textContent()).toBe(
      "422 · 1004: url: is not an absolute URL",
    );
    expect(unexpected(problems, [NO_JOBS, { status: 422, path: "/_admin/resolve" }])).toEqual([]);
  });

  it("shows the jobs with live progress, or says that the gateway has none", async () => {
    const jobsRoute = await fetch(`${gatewayUrl()}/_admin/jobs`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (jobsRoute.status === 404) {
      // A gateway without the jobs routes: one clear line, and no polling.
      const { page, problems } = await dashboard(ADMIN_TOKEN);
      await page.locator('#jobs [data-jobs="unavailable"]').waitFor();
      expect(await page.locator("#jobs").textContent()).toBe("Jobs are not available on this gateway.");
      expect(unexpected(problems, [NO_JOBS])).toEqual([]);
      return;
    }
    // A backfill of URLs nobody asked for yet: the page follows it to the end by itself.
    const urls = [1, 2, 3].map((n) => `${gatewayUrl()}/imgix/photos/e2e-job-${n}.svg`);
    const job = await adminApi<{ id: number | string; total: number }>("POST", "/jobs", {
      type: "backfill",
      urls,
    });
    const { page, problems } = await dashboard(ADMIN_TOKEN);
    const row = page.locator(`#jobs li[data-job="${job.id}"]`);
    await row.waitFor();
    await page.locator(`#jobs li[data-job="${job.id}"][data-state="done"]`).waitFor({ timeout: 45_000 });
    const progress = row.locator("progress");
    expect(await progress.getAttribute("max")).toBe(String(urls.length));
    expect(await progress.evaluate((el: HTMLProgressElement) => el.value)).toBe(urls.length);
    expect(await row.textContent()).toMatch(/3 \/ 3 settled · 3 succeeded/);
    expect(unexpected(problems)).toEqual([]);
  });

  it("is usable at 375 px: no sideways scrolling, every panel there", async () => {
    const { page, problems } = await dashboard(ADMIN_TOKEN, 375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    for (const id of ["sources", "failures", "jobs", "resolve-form"]) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(375);
    }
    await screenshot(page, "dashboard-375");
    expect(unexpected(problems, [NO_JOBS])).toEqual([]);
  });
});
