// First step of `npm start` (scripts/start.mjs): everything `wrangler dev` needs on a fresh clone, with no account.
// 1. .dev.vars (local-only admin token and signing key) from .dev.vars.example when missing;
// 2. the D1 migrations applied to the local database (.wrangler/state);
// 3. the demo sources seeded (idempotent).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CI ??= "true"; // never prompt

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local admin token: dev-admin-token)");
}
const wrangler = (...args) => execFileSync("wrangler", args, { stdio: "inherit" });
wrangler("d1", "migrations", "apply", "DB", "--local");
wrangler("d1", "execute", "DB", "--local", "--file", "seed/demo.sql");
