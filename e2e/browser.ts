/**
 * Debian's Chromium driven by playwright-core (no browser download): headless, offline-safe flags,
 * a fresh profile per launch. Collects console errors and uncaught exceptions per page, and writes
 * screenshots to test-output/ (git-ignored) for a person to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const OUTPUT = path.resolve(import.meta.dirname, "..", "test-output");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "gateway-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new tab (its own sessionStorage) that records what went wrong in it. */
export async function newPage(browser: Browser, width = 1280): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()} at ${msg.location().url}`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  return { page, problems };
}

/** A failed request a test causes on purpose: its status, and the path it must be for. */
export interface Expected {
  status: number;
  path?: string;
}

/**
 * The problems of a page other than the failed requests a test caused on purpose (Chromium logs
 * "Failed to load resource: … status of 401" for every 4xx that the page's fetch gets).
 */
export const unexpected = (problems: string[], expected: Expected[] = []) =>
  problems.filter(
    (p) =>
      !expected.some(
        (e) =>
          p.startsWith(
            `console: Failed to load resource: the server responded with a status of ${e.status} `,
          ) &&
          (e.path === undefined || new URL(p.slice(p.lastIndexOf(" at ") + 4)).pathname === e.path),
      ),
  );

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT, { recursive: true });
  const file = path.join(OUTPUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
