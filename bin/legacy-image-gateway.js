#!/usr/bin/env node
// `npx legacy-image-gateway …`: the operator CLI (cli/main.ts) is TypeScript, run by Node 22's own
// type stripping — no build step. Node versions that strip types without a flag load it directly;
// Node 22.6+ gets `--experimental-strip-types` in a child process; older Nodes are told what to do.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);

if (process.features?.typescript) {
  // Type stripping is on (Node ≥ 22.18); its one-time ExperimentalWarning is noise for operators.
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) =>
    /type stripping/i.test(String(warning?.message ?? warning))
      ? undefined
      : emit.call(process, warning, ...rest);
  await import(main);
} else if (major > 22 || (major === 22 && minor >= 6)) {
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings=ExperimentalWarning", main, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
} else {
  console.error(
    `legacy-image-gateway needs Node 22.6 or newer (this is ${process.versions.node}); in this repository run it as \`npx legacy-image-gateway\` or through npm scripts, which put the node@22 devDependency first on PATH.`,
  );
  process.exit(2);
}
