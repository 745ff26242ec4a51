// `npm start`: the gateway on http://localhost:8787 with its embedded defaults and the demo.
// 1. scripts/prepare-local.mjs: .dev.vars, local D1 migrations, the demo sources;
// 2. `wrangler dev` with the demo origin on (extra arguments are passed on to it);
// 3. once it answers /_health, the demo's pre-mapped assets are mapped through the admin API.
// Ctrl-C stops wrangler; this process exits with wrangler's code.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { premapDemo } from "./demo-premap.mjs";

execFileSync(process.execPath, ["scripts/prepare-local.mjs"], { stdio: "inherit" });

const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? args[portArg + 1] : "8787";
const base = `http://127.0.0.1:${port}`;

const wrangler = spawn("wrangler", ["dev", "--var", "DEMO_ORIGIN:true", ...args], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => wrangler.kill(signal));
wrangler.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** ADMIN_TOKEN as wrangler dev reads it from .dev.vars. */
function adminToken() {
  const line = readFileSync(".dev.vars", "utf8")
    .split("\n")
    .find((l) => /^\s*ADMIN_TOKEN\s*=/.test(l));
  return line
    ?.slice(line.indexOf("=") + 1)
    .trim()
    .replace(/^"(.*)"$/, "$1");
}

async function premapWhenUp() {
  for (let i = 0; i < 480; i++) {
    if (wrangler.exitCode !== null) return;
    try {
      if ((await fetch(`${base}/_health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = adminToken();
  if (!token) return console.warn("demo: no ADMIN_TOKEN in .dev.vars; the pre-mapped assets stay unmapped");
  try {
    await premapDemo(base, token);
    console.log(
      `\nLegacy Image Gateway: open http://localhost:${port}/ (demo page) and http://localhost:${port}/_admin/ui (dashboard, token ${token})\n`,
    );
  } catch (err) {
    console.warn(String(err));
  }
}
premapWhenUp();
