/**
 * Global setup of the browser tests: a real gateway (`wrangler dev`, as `npm start` runs it) on a
 * free loopback port, with a fresh local D1 in a temporary --persist-to directory, the migrations
 * applied, the demo sources seeded with their origin on that port and the demo's pre-mapped assets
 * mapped (scripts/demo-premap.mjs), as `npm start` does. Torn down (process group
 * and directory) when the run ends.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { premapDemo } from "../scripts/demo-premap.mjs";
import { ADMIN_TOKEN, READ_TOKEN } from "./tokens";

declare module "vitest" {
  export interface ProvidedContext {
    gateway: string;
  }
}

const root = path.resolve(import.meta.dirname, "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(`${url}/_health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the gateway did not become healthy within 120 s:\n${log()}`);
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), "gateway-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const local = ["--local", "--persist-to", dir];
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", ...local], { cwd: root, env, stdio: "pipe" });
  const seed = readFileSync(path.join(root, "seed", "demo.sql"), "utf8").replaceAll(
    "http://127.0.0.1:8787",
    base,
  );
  writeFileSync(path.join(dir, "seed.sql"), seed);
  execFileSync(wrangler, ["d1", "execute", "DB", ...local, "--file", path.join(dir, "seed.sql")], {
    cwd: root,
    env,
    stdio: "pipe",
  });
  // Tokens of this run only; --env-file keeps a developer's .dev.vars out of it.
  writeFileSync(path.join(dir, "test.vars"), `ADMIN_TOKEN=${ADMIN_TOKEN}\nADMIN_READ_TOKEN=${READ_TOKEN}\n`);

  let output = "";
  const child = spawn(
    wrangler,
    [
      "dev",
      ...["--ip", "127.0.0.1", "--port", String(port), "--persist-to", dir],
      ...["--var", "DEMO_ORIGIN:true", "--env-file", path.join(dir, "test.vars")],
      ...["--inspector-port", String(await freePort()), "--show-interactive-dev-session=false"],
    ],
    { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM"); // the whole group: wrangler and its workerd
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(base, child, () => output);
    await premapDemo(base, ADMIN_TOKEN); // as npm start does once the gateway answers
  } catch (err) {
    await stop();
    throw err;
  }
  project.provide("gateway", base);
  return stop;
}
