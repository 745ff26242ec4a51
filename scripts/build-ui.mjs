// Builds the operator dashboard: ui/*.ts bundled by esbuild into one ES module, next to the
// page and its stylesheet, in assets/_admin/ui/ (generated, git-ignored), from where the Worker
// serves it as static assets. Run by `npm test` and, through wrangler.toml [build], by every
// `wrangler dev` and `wrangler deploy`. Takes well under a second.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "ui");
const out = path.join(root, "assets", "_admin", "ui");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(src, "app.ts")],
  outfile: path.join(out, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css", "favicon.svg"]) {
  copyFileSync(path.join(src, file), path.join(out, file));
}
console.log(`dashboard built into ${path.relative(root, out)}/`);
