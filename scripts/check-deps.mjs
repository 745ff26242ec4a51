// The dependency rules of src/ (issue 7), checked over the import statements of every file:
//  1. parsers do no I/O: they import only other parsers, delivery options and source types;
//  2. src/db/ imports nothing HTTP (no http/, admin/, redirect/, router);
//  3. nothing on the redirect path imports src/admin/ (the closure of redirect/handler.ts);
//  4. only src/cache/ and src/db/ invalidate caches (import cache/index or a `forget…` function).
// Exits 1 and names each violation. `node scripts/check-deps.mjs` (run by .ci/run).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "src");

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*"([^"]+)"/g;
const DYNAMIC = /import\(\s*"([^"]+)"\s*\)/g;

/** Each import of a file: { spec, resolved (repo-relative, or the package name), typeOnly, names }. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const out = [];
  const add = (spec, typeOnly, names) => {
    let resolved = spec;
    if (spec.startsWith(".")) {
      const base = path.resolve(path.dirname(file), spec);
      const candidates = [base, `${base}.ts`, path.join(base, "index.ts")];
      const hit = candidates.find((c) => {
        try {
          return statSync(c).isFile();
        } catch {
          return false;
        }
      });
      resolved = path.relative(root, hit ?? base);
    }
    out.push({ spec, resolved, typeOnly, names });
  };
  for (const m of text.matchAll(IMPORT)) {
    const clause = m[3];
    const names = [...clause.matchAll(/([A-Za-z_$][\w$]*)(?:\s+as\s+[\w$]+)?/g)].map((n) => n[1]);
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+[\w$]+\s*,?\s*)+\}$/.test(clause.trim());
    add(m[4], typeOnly, names);
  }
  for (const m of text.matchAll(DYNAMIC)) add(m[1], false, []);
  return out;
}

const files = filesUnder(src);
const rel = (f) => path.relative(root, f);
const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));
const violations = [];
const under = (p, dir) => p.startsWith(`src/${dir}/`);

for (const [file, imports] of graph) {
  for (const imp of imports) {
    const target = imp.resolved;
    // 1. Parsers: pure.
    if (under(file, "parsers")) {
      const allowed =
        under(target, "parsers") ||
        target === "src/delivery/options.ts" ||
        (imp.typeOnly && (target === "src/sources/types.ts" || target === "src/sources/schema.ts"));
      if (!allowed) violations.push(`${file}: a parser imports ${imp.spec} (parsers import no I/O)`);
    }
    // 2. db/: nothing HTTP.
    if (under(file, "db")) {
      if (["http", "admin", "redirect"].some((d) => under(target, d)) || /^itty-router/.test(target)) {
        violations.push(`${file}: db/ imports ${imp.spec} (db/ imports nothing HTTP)`);
      }
    }
    // 4. Invalidation only from cache/ and db/.
    if (!under(file, "cache") && !under(file, "db") && under(target, "cache")) {
      const invalidates = target === "src/cache/index.ts" || imp.names.some((n) => /^forget/.test(n));
      if (invalidates)
        violations.push(`${file}: invalidates caches through ${imp.spec} (only cache/ and db/ may)`);
    }
  }
}

// 3. The redirect path's closure never reaches admin/.
const seen = new Set();
const stack = [["src/redirect/handler.ts"]];
while (stack.length) {
  const chain = stack.pop();
  const file = chain.at(-1);
  if (seen.has(file)) continue;
  seen.add(file);
  if (under(file, "admin")) {
    violations.push(`the redirect path imports admin/: ${chain.join(" → ")}`);
    continue;
  }
  for (const imp of graph.get(file) ?? []) {
    if (!imp.typeOnly && imp.resolved.startsWith("src/")) stack.push([...chain, imp.resolved]);
  }
}

if (violations.length) {
  console.error(`Dependency rules violated (${violations.length}):\n- ${violations.join("\n- ")}`);
  process.exit(1);
}
console.log(`Dependency rules hold over ${files.length} files (redirect path: ${seen.size} modules).`);
